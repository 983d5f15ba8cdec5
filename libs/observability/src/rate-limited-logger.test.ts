import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RateLimitedLog } from './rate-limited-logger.js';

function setup(burst: number, windowMs: number, start = 1_000_000) {
  const lines: string[] = [];
  const clock = { now: start };
  const log = new RateLimitedLog((l) => lines.push(l), { burst, windowMs, now: () => clock.now });
  return { lines, clock, log };
}

describe('RateLimitedLog', () => {
  it('logs the first `burst` lines of a window and holds back the rest', () => {
    const { lines, log } = setup(3, 60_000);
    for (let i = 1; i <= 10; i++) log.log(`bad ${i}`);
    assert.deepEqual(lines, ['bad 1', 'bad 2', 'bad 3']);
  });

  it('the next window starts with one summary of what was held back, then logs again', () => {
    const { lines, clock, log } = setup(3, 60_000);
    for (let i = 1; i <= 10; i++) log.log(`bad ${i}`);
    clock.now += 60_000;
    log.log('bad 11');
    assert.deepEqual(lines, ['bad 1', 'bad 2', 'bad 3', '… and 7 more like these in the last 60 s (counted in /metrics)', 'bad 11']);
  });

  it('no summary when nothing was held back', () => {
    const { lines, clock, log } = setup(3, 60_000);
    log.log('a');
    log.log('b');
    clock.now += 60_000;
    log.log('c');
    assert.deepEqual(lines, ['a', 'b', 'c']);
  });

  it('a window is windowMs long: one millisecond before its end is still the same window', () => {
    const { lines, clock, log } = setup(1, 1000);
    log.log('a');
    clock.now += 999;
    log.log('b');
    assert.deepEqual(lines, ['a']);
    clock.now += 1;
    log.log('c');
    assert.deepEqual(lines, ['a', '… and 1 more like these in the last 1 s (counted in /metrics)', 'c']);
  });

  it('the burst is per window: a full burst again after the window', () => {
    const { lines, clock, log } = setup(2, 1000);
    for (const l of ['a', 'b', 'c']) log.log(l);
    clock.now += 1000;
    for (const l of ['d', 'e', 'f', 'g']) log.log(l);
    clock.now += 1000;
    log.log('h');
    assert.deepEqual(lines, ['a', 'b', '… and 1 more like these in the last 1 s (counted in /metrics)', 'd', 'e', '… and 2 more like these in the last 1 s (counted in /metrics)', 'h']);
  });

  it('defaults: 20 per minute', () => {
    const lines: string[] = [];
    const log = new RateLimitedLog((l) => lines.push(l));
    for (let i = 0; i < 25; i++) log.log(String(i));
    assert.equal(lines.length, 20);
  });
});
