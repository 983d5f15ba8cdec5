import assert from 'node:assert/strict';
import { Duplex } from 'node:stream';
import { describe, it } from 'node:test';
import { generate } from 'mqtt-packet';
import { TurnBatchedSocket } from './turn-batched-socket.js';

function publish(bytes: number): Buffer {
  return generate({ cmd: 'publish', topic: 't', payload: Buffer.alloc(bytes, 0x61), qos: 0, dup: false, retain: false });
}

class TooLarge extends Error {}

/** Refuses any chunk longer than `limit` bytes (a stand-in for the broker's packet-size check). */
function scanner(limit: number): (chunk: Buffer) => void {
  return (chunk) => {
    if (chunk.length > limit) throw new TooLarge(`${chunk.length} bytes`);
  };
}

/** A socket stand-in that records how the connection wrote to it: one entry per write call reaching it. */
class RecordingSocket extends Duplex {
  readonly writes: number[] = [];
  override _read(): void {}
  override _write(_chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.writes.push(1);
    callback();
  }
  override _writev(chunks: { chunk: Buffer }[], callback: () => void): void {
    this.writes.push(chunks.length);
    callback();
  }
}

describe('TurnBatchedSocket', () => {
  it('passes what the client sends through, and closes on a packet over the limit before passing it', async () => {
    const socket = new RecordingSocket();
    const connection = new TurnBatchedSocket(socket, { inspect: scanner(1024) });
    const received: Buffer[] = [];
    connection.on('data', (chunk: Buffer) => received.push(chunk));
    const closed = new Promise<Error | undefined>((resolve) => connection.on('error', resolve));
    socket.push(publish(100));
    socket.push(publish(5000));
    const error = await closed;
    assert.ok(error instanceof TooLarge);
    assert.deepEqual(Buffer.concat(received), publish(100));
    assert.ok(socket.destroyed);
  });

  it('gathers the writes of one turn of the event loop into one write to the socket', async () => {
    const socket = new RecordingSocket();
    const connection = new TurnBatchedSocket(socket, { inspect: scanner(1024) });
    for (let i = 0; i < 50; i++) connection.write(publish(20));
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    for (let i = 0; i < 10; i++) connection.write(publish(20));
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    assert.equal(socket.writes.reduce((a, b) => a + b, 0), 60);
    assert.ok(socket.writes.length <= 4, `socket writes: ${socket.writes.join(',')}`);
  });

  it('writes what it gathered before closing (a refused CONNACK must reach the client)', () => {
    const socket = new RecordingSocket();
    const connection = new TurnBatchedSocket(socket, { inspect: scanner(1024) });
    connection.write(generate({ cmd: 'connack', returnCode: 5, sessionPresent: false }));
    connection.destroy();
    assert.deepEqual(socket.writes, [1]);
  });

  it('does not hold more than the socket\'s high-water mark for the next turn (its own cork is not backpressure)', () => {
    const socket = new RecordingSocket();
    const connection = new TurnBatchedSocket(socket);
    for (let i = 0; i < 40; i++) connection.write(publish(1000));
    // 40 KB in one turn: what passed 16 KiB has reached the socket already, in this turn, so a
    // "full" answer clears as soon as the kernel takes it, not on the next turn.
    assert.ok(socket.writes.reduce((a, b) => a + b, 0) >= 16, `reached the socket: ${socket.writes.join(',')}`);
  });
});
