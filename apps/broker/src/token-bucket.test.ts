import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyedTokenBuckets, TokenBucket } from './token-bucket.js';

describe('TokenBucket (virtual time)', () => {
  it('allows a burst, then the rate', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 20, () => now);
    let taken = 0;
    for (let i = 0; i < 30; i++) if (bucket.take()) taken++;
    assert.equal(taken, 20, 'the burst');
    now += 500; // half a second: 5 tokens
    taken = 0;
    for (let i = 0; i < 10; i++) if (bucket.take()) taken++;
    assert.equal(taken, 5);
  });

  it('never holds more than the burst however long it waits', () => {
    let now = 0;
    const bucket = new TokenBucket(100, 3, () => now);
    now += 3_600_000;
    assert.deepEqual([bucket.take(), bucket.take(), bucket.take(), bucket.take()], [true, true, true, false]);
  });
});

describe('KeyedTokenBuckets', () => {
  it('limits each key on its own', () => {
    const now = 0;
    const buckets = new KeyedTokenBuckets(1, 2, () => now);
    assert.deepEqual([buckets.take('a'), buckets.take('a'), buckets.take('a')], [true, true, false]);
    assert.equal(buckets.take('b'), true, 'another address is not held back by the first');
  });
});
