import assert from 'node:assert/strict';
import { Duplex } from 'node:stream';
import { describe, it } from 'node:test';
import { generate } from 'mqtt-packet';
import { ClientConnection, PacketSizeScanner, PacketTooLarge } from './client-connection.js';

function publish(bytes: number): Buffer {
  return generate({ cmd: 'publish', topic: 't', payload: Buffer.alloc(bytes, 0x61), qos: 0, dup: false, retain: false });
}

function scanAll(limit: number, chunks: Buffer[]): Error | undefined {
  const scanner = new PacketSizeScanner(limit);
  try {
    for (const chunk of chunks) scanner.scan(chunk);
    return undefined;
  } catch (error) {
    return error as Error;
  }
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

describe('PacketSizeScanner', () => {
  it('passes packets within the limit, however the bytes are split', () => {
    const stream = Buffer.concat([publish(10), publish(200), publish(3000), generate({ cmd: 'pingreq' })]);
    assert.equal(scanAll(4096, [...stream].map((b) => Buffer.from([b]))), undefined);
    assert.equal(scanAll(4096, [stream]), undefined);
  });

  it('reads multi-byte Remaining Lengths [MQTT-2.2.3]: 200 bytes take two, 20,000 take three', () => {
    assert.equal(publish(200)[1] & 0x80, 0x80);
    assert.equal(publish(20_000)[2] & 0x80, 0x80);
    assert.equal(scanAll(30_000, [publish(20_000)]), undefined);
    assert.ok(scanAll(19_000, [publish(20_000)]) instanceof PacketTooLarge);
  });

  it('refuses a packet over the limit, naming its declared size', () => {
    const error = scanAll(1024, [publish(10), publish(2000)]);
    assert.ok(error instanceof PacketTooLarge);
    assert.ok(error.declaredBytes > 2000);
    assert.match(error.message, /over the limit of 1024/);
  });

  it('refuses a Remaining Length longer than four bytes', () => {
    assert.match(String(scanAll(1 << 30, [Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01])])), /malformed Remaining Length/);
  });
});

describe('ClientConnection', () => {
  it('passes what the client sends through, and closes on a packet over the limit before passing it', async () => {
    const socket = new RecordingSocket();
    const connection = new ClientConnection(socket, new PacketSizeScanner(1024));
    const received: Buffer[] = [];
    connection.on('data', (chunk: Buffer) => received.push(chunk));
    const closed = new Promise<Error | undefined>((resolve) => connection.on('error', resolve));
    socket.push(publish(100));
    socket.push(publish(5000));
    const error = await closed;
    assert.ok(error instanceof PacketTooLarge);
    assert.deepEqual(Buffer.concat(received), publish(100));
    assert.ok(socket.destroyed);
  });

  it('gathers the writes of one turn of the event loop into one write to the socket', async () => {
    const socket = new RecordingSocket();
    const connection = new ClientConnection(socket, new PacketSizeScanner(1024));
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
    const connection = new ClientConnection(socket, new PacketSizeScanner(1024));
    connection.write(generate({ cmd: 'connack', returnCode: 5, sessionPresent: false }));
    connection.destroy();
    assert.deepEqual(socket.writes, [1]);
  });
});
