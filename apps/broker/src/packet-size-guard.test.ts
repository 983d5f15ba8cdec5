import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generate } from 'mqtt-packet';
import { PacketSizeGuard } from './packet-size-guard.js';

function publish(bytes: number): Buffer {
  return generate({ cmd: 'publish', topic: 't', payload: Buffer.alloc(bytes, 0x61), qos: 0, dup: false, retain: false });
}

/** Feeds the chunks in; resolves with what passed through, or the error and what the guard refused. */
async function feed(limit: number, chunks: Buffer[]): Promise<{ passed: Buffer; error?: Error; refused: number[] }> {
  const refused: number[] = [];
  const guard = new PacketSizeGuard(limit, (n) => refused.push(n));
  const out: Buffer[] = [];
  guard.on('data', (c: Buffer) => out.push(c));
  const done = new Promise<Error | undefined>((resolve) => {
    guard.on('error', resolve);
    guard.on('end', () => resolve(undefined));
  });
  for (const c of chunks) guard.write(c);
  guard.end();
  const error = await done;
  return { passed: Buffer.concat(out), error, refused };
}

describe('PacketSizeGuard', () => {
  it('passes packets within the limit unchanged, however the bytes are split', async () => {
    const stream = Buffer.concat([publish(10), publish(200), publish(3000)]);
    const oneByteChunks = [...stream].map((b) => Buffer.from([b]));
    const { passed, error } = await feed(4096, oneByteChunks);
    assert.equal(error, undefined);
    assert.deepEqual(passed, stream);
  });

  it('reads multi-byte Remaining Lengths [MQTT-2.2.3]: 200 bytes take two, 20,000 take three', async () => {
    assert.equal(publish(200)[1] & 0x80, 0x80);
    assert.equal(publish(20_000)[2] & 0x80, 0x80);
    const { error } = await feed(30_000, [publish(20_000)]);
    assert.equal(error, undefined);
  });

  it('refuses a packet over the limit before passing any of it', async () => {
    const { passed, error, refused } = await feed(1024, [publish(2000)]);
    assert.match(String(error), /over the limit of 1024/);
    assert.equal(passed.length, 0);
    assert.equal(refused.length, 1);
    assert.ok(refused[0] > 2000);
  });

  it('refuses a Remaining Length longer than four bytes', async () => {
    const { error } = await feed(1 << 30, [Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01])]);
    assert.match(String(error), /malformed Remaining Length/);
  });
});
