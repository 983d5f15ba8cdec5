import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Prng } from './prng.js';

describe('Prng', () => {
  it('gives the same stream for the same seed and different streams for different seeds', () => {
    const a = Array.from({ length: 5 }, ((r) => () => r.nextUint32())(new Prng('42')));
    const b = Array.from({ length: 5 }, ((r) => () => r.nextUint32())(new Prng('42')));
    const c = Array.from({ length: 5 }, ((r) => () => r.nextUint32())(new Prng('43')));
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  it('is pinned: a change of algorithm would change every scenario, so it must be deliberate', () => {
    const r = new Prng(1);
    assert.deepEqual([r.nextUint32(), r.nextUint32(), r.nextUint32()], [350175097, 640680501, 3603964963]);
  });

  it('names independent streams: one device stream does not depend on another', () => {
    assert.notEqual(Prng.for(1, 'demo', 'n-01').next(), Prng.for(1, 'demo', 'n-02').next());
    assert.equal(Prng.for(1, 'demo', 'n-01').next(), Prng.for(1, 'demo', 'n-01').next());
  });

  it('draws uniform, normal, Poisson and exponential values with the right moments', () => {
    const r = new Prng('moments');
    const n = 50_000;
    const mean = (f: () => number) => {
      let s = 0;
      let s2 = 0;
      for (let i = 0; i < n; i++) {
        const x = f();
        s += x;
        s2 += x * x;
      }
      return { mean: s / n, sd: Math.sqrt(s2 / n - (s / n) ** 2) };
    };
    const u = mean(() => r.next());
    assert.ok(Math.abs(u.mean - 0.5) < 0.01, `uniform mean ${u.mean}`);
    const g = mean(() => r.normal(10, 2));
    assert.ok(Math.abs(g.mean - 10) < 0.05 && Math.abs(g.sd - 2) < 0.05, `normal ${JSON.stringify(g)}`);
    const p = mean(() => r.poisson(3));
    assert.ok(Math.abs(p.mean - 3) < 0.05 && Math.abs(p.sd - Math.sqrt(3)) < 0.05, `poisson ${JSON.stringify(p)}`);
    const e = mean(() => r.exponential(5));
    assert.ok(Math.abs(e.mean - 5) < 0.15, `exponential ${e.mean}`);
    for (let i = 0; i < 1000; i++) {
      const k = r.int(7);
      assert.ok(Number.isInteger(k) && k >= 0 && k < 7);
    }
  });
});
