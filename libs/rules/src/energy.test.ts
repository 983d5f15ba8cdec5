import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dayNightLevel, energyAverage, roundLevel } from './energy.js';

describe('energyAverage', () => {
  it('averages 40 and 60 dB(A) to 57.0, not 50 (criteria.md)', () => {
    // 10·log10((10^4 + 10^6)/2) = 10·log10(505000) = 57.03
    assert.equal(roundLevel(energyAverage([40, 60])), 57.0);
  });
  it('is the level itself for equal levels and for one level', () => {
    assert.equal(roundLevel(energyAverage([45, 45, 45])), 45);
    assert.equal(roundLevel(energyAverage([52.3])), 52.3);
  });
  it('is NaN for no levels', () => {
    assert.ok(Number.isNaN(energyAverage([])));
  });
  it('gives the day-night level with the 10 dB night penalty', () => {
    // Ld = Ln = 50: 10·log10((16·1e5 + 8·1e6)/24) = 10·log10(400000) = 56.02
    assert.equal(roundLevel(dayNightLevel(50, 50)), 56);
  });
});
