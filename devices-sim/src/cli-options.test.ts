import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError, parseCli } from './cli-options.js';

describe('parseCli load', () => {
  it('keeps the load defaults: 1000 devices, 1000 msg/s, 10 s, 4 connections, QoS 1', () => {
    const o = parseCli(['load']);
    assert.deepEqual([o.command, o.devices, o.rate, o.loadDurationS, o.connections, o.qos, o.window, o.community], ['load', 1000, 1000, 10, 4, 1, undefined, undefined]);
  });

  it('reads --rate max as rate 0 (as fast as the windows allow) and refuses other words and 0', () => {
    assert.equal(parseCli(['load', '--rate', 'max']).rate, 0);
    assert.equal(parseCli(['load', '--rate', '2500.5']).rate, 2500.5);
    assert.throws(() => parseCli(['load', '--rate', 'fast']), (e: unknown) => e instanceof UsageError && /--rate: .* or max/.test(e.message));
    assert.throws(() => parseCli(['load', '--rate', '0']), UsageError);
  });
});
