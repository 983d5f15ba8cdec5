import type { NoiseZone } from '#contracts';

/**
 * Sound levels combine and average by energy, never arithmetically (GB 3096-2008 §3.5, the
 * equivalent continuous A-weighted level): L = 10·log10(Σ 10^(Li/10)).
 */
export function energyOf(level: number): number {
  return 10 ** (level / 10);
}

export function levelOf(energy: number): number {
  return 10 * Math.log10(energy);
}

/** Two or more simultaneous sources: 40 and 60 dB(A) give 60.04, two equal sources give +3.01. */
export function combineLevels(...levels: number[]): number {
  let energy = 0;
  for (const l of levels) energy += energyOf(l);
  return levelOf(energy);
}

/** Leq of consecutive equal-length intervals: 40 and 60 dB(A) average to 57.0. */
export function energyAverage(levels: readonly number[]): number {
  if (levels.length === 0) return Number.NaN;
  let energy = 0;
  for (const l of levels) energy += energyOf(l);
  return levelOf(energy / levels.length);
}

/** GB 3096-2008 table 1: limits of Leq in dB(A) by acoustic environment function zone class. */
export const GB3096_LIMITS: Record<NoiseZone, { day: number; night: number }> = {
  '0': { day: 50, night: 40 },
  '1': { day: 55, night: 45 },
  '2': { day: 60, night: 50 },
  '3': { day: 65, night: 55 },
  '4a': { day: 70, night: 55 },
  '4b': { day: 70, night: 60 },
};

/** GB 3096-2008 §5.2 (and criteria.md, noise.night_burst): at night Lmax may exceed the limit by at most 15 dB(A). */
export const NIGHT_BURST_MARGIN_DB = 15;

export function roundTo(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}
