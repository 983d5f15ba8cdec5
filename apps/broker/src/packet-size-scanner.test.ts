import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generate } from 'mqtt-packet';
import { PacketSizeScanner, PacketTooLarge } from './packet-size-scanner.js';

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
