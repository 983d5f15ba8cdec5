import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GB3096_LIMITS, combineLevels, energyAverage, energyOf, levelOf } from './acoustics.js';

describe('sound levels by energy', () => {
  it('combines simultaneous sources by energy: 40 and 60 dB(A) make 60.04, two equal sources +3.01', () => {
    // Hand computation: 10·log10(10^4 + 10^6) = 10·log10(1,010,000) = 60.0432
    assert.equal(combineLevels(40, 60).toFixed(2), '60.04');
    assert.equal(combineLevels(50, 50).toFixed(2), '53.01');
    assert.equal(combineLevels(45).toFixed(2), '45.00');
  });

  it('averages consecutive intervals by energy: 40 and 60 dB(A) average to 57.0, not 50', () => {
    // 10·log10((10^4 + 10^6) / 2) = 10·log10(505,000) = 57.03 (criteria.md)
    assert.equal(energyAverage([40, 60]).toFixed(1), '57.0');
    assert.equal(energyAverage([55, 55, 55]).toFixed(6), '55.000000');
    assert.ok(Number.isNaN(energyAverage([])));
  });

  it('converts between level and energy both ways', () => {
    assert.equal(levelOf(energyOf(63.2)).toFixed(6), '63.200000');
    assert.equal(energyOf(30), 1000);
  });

  it('holds the GB 3096-2008 table 1 limits', () => {
    assert.deepEqual(GB3096_LIMITS['1'], { day: 55, night: 45 });
    assert.deepEqual(GB3096_LIMITS['4a'], { day: 70, night: 55 });
    assert.deepEqual(GB3096_LIMITS['4b'], { day: 70, night: 60 });
  });
});
