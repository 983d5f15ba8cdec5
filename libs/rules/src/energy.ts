/**
 * Sound levels are averaged by energy, never arithmetically (GB 3096-2008, 3.6; criteria.md,
 * "Noise"): Leq = 10·log10((1/N)·Σ 10^(Lᵢ/10)). Two minutes at 40 and 60 dB(A) give 57.0.
 */

/** The energy of a level: 10^(L/10). InfluxDB stores the same number as the noise `energy` field. */
export function levelToEnergy(level: number): number {
  return 10 ** (level / 10);
}

export function energyToLevel(energy: number): number {
  return 10 * Math.log10(energy);
}

/** The energy-average of levels in dB(A); NaN for none. */
export function energyAverage(levels: readonly number[]): number {
  if (levels.length === 0) return Number.NaN;
  let sum = 0;
  for (const level of levels) sum += levelToEnergy(level);
  return energyToLevel(sum / levels.length);
}

/**
 * Day-night level for reports (criteria.md): Ldn = 10·log10((16·10^(Ld/10) + 8·10^((Ln+10)/10)) / 24),
 * with the 10 dB night penalty. GB 3096 compliance is judged on Ld and Ln separately, not on Ldn.
 */
export function dayNightLevel(ld: number, ln: number): number {
  return energyToLevel((16 * levelToEnergy(ld) + 8 * levelToEnergy(ln + 10)) / 24);
}

/** One decimal, as levels are reported. */
export function roundLevel(level: number): number {
  return Math.round(level * 10) / 10;
}
