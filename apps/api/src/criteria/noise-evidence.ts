import type { CommunityConfig, NoiseZone } from '#contracts';
import { GB3096_LIMITS, type Period, energyToLevel, localTime, parseHourRange, inRange } from '#rules';
import { esc } from './report-format.js';

/**
 * Evidence for criterion 10 (criteria.md, "Evidence"): per meter, the zone, every local day's
 * day-Leq and night-Leq against the GB 3096-2008 limits, the share of compliant days and nights,
 * night bursts (Lmax > night limit + 15, GB 3096-2008 5.4), work-hour violations, horn events,
 * data completeness, and a verdict with its reasons. Computed from stored readings.
 */
export const COMPLETENESS_REQUIRED = 0.9;
export const BURST_MARGIN_DB = 15;

/** One bucket of stored readings: energy sum and reading count, starting at `t` (never straddling day/night). */
export interface EnergyBucket {
  device: string;
  t: number;
  energySum: number;
  count: number;
}

export interface NoiseEvidenceInput {
  config: CommunityConfig;
  from: number;
  to: number;
  buckets: EnergyBucket[];
  /** Readings with a high Lmax: { device, t, lmax }. */
  loud: { device: string; t: number; lmax: number }[];
  hornEvents: Map<string, number>;
  workHourAlerts: Map<string, number>;
}

interface PeriodRow {
  date: string;
  period: Period;
  leq: number;
  limit: number;
  compliant: boolean;
  readings: number;
}

export function noiseEvidence(input: NoiseEvidenceInput) {
  const { config } = input;
  const tz = config.timezone;
  const day = parseHourRange(config.periods.day);
  const dayMinutes = (((day.end - day.start) % 1440) + 1440) % 1440 || 1440;
  const meters = config.devices.filter((d) => d.type === 'noise');
  const reasons: string[] = [];
  const devices = meters.map((m) => {
    const zone = (m.zone ?? '1') as NoiseZone;
    const limits = GB3096_LIMITS[zone];
    const groups = new Map<string, { date: string; period: Period; energy: number; count: number }>();
    let readings = 0;
    for (const b of input.buckets) {
      if (b.device !== m.id || b.count === 0) continue;
      const local = localTime(b.t, tz);
      const period: Period = inRange(local.minuteOfDay, day) ? 'day' : 'night';
      // a night belongs to the date it starts on: 00:00–06:00 is the previous date's night
      const date = period === 'night' && local.minuteOfDay < day.start ? previousDate(local.date) : local.date;
      const key = `${date} ${period}`;
      const g = groups.get(key) ?? { date, period, energy: 0, count: 0 };
      g.energy += b.energySum;
      g.count += b.count;
      groups.set(key, g);
      readings += b.count;
    }
    const rows: PeriodRow[] = [...groups.values()]
      .sort((a, b) => (a.date === b.date ? (a.period === 'day' ? -1 : 1) : a.date < b.date ? -1 : 1))
      .map((g) => {
        const leq = Math.round(energyToLevel(g.energy / g.count) * 10) / 10;
        return { date: g.date, period: g.period, leq, limit: limits[g.period], compliant: leq <= limits[g.period], readings: g.count };
      });
    const share = (p: Period) => {
      const of = rows.filter((r) => r.period === p);
      return of.length ? Math.round((of.filter((r) => r.compliant).length / of.length) * 1000) / 1000 : null;
    };
    const burstLimit = limits.night + BURST_MARGIN_DB;
    const bursts = input.loud.filter((l) => l.device === m.id && l.lmax > burstLimit && !inRange(localTime(l.t, tz).minuteOfDay, day)).length;
    const expected = Math.floor((input.to - input.from) / ((m.intervalS ?? 60) * 1000));
    const completeness = expected ? Math.round(Math.min(1, readings / expected) * 1000) / 1000 : 0;
    const mine: string[] = [];
    const failing = rows.filter((r) => !r.compliant);
    if (failing.length) mine.push(`${failing.length} of ${rows.length} periods above the limit (${failing.slice(0, 5).map((r) => `${r.date} ${r.period} ${r.leq} > ${r.limit}`).join(', ')}${failing.length > 5 ? ', …' : ''})`);
    if (bursts) mine.push(`${bursts} night burst(s) above ${burstLimit} dB(A)`);
    const work = input.workHourAlerts.get(m.id) ?? 0;
    if (work) mine.push(`${work} work-hour violation(s)`);
    const horns = input.hornEvents.get(m.id) ?? 0;
    if (horns && m.hornBan) mine.push(`${horns} horn event(s) in a horn-ban area`);
    if (completeness < COMPLETENESS_REQUIRED) mine.push(`data completeness ${Math.round(completeness * 1000) / 10}% (required ${COMPLETENESS_REQUIRED * 100}%)`);
    for (const r of mine) reasons.push(`${m.id}: ${r}`);
    return {
      deviceId: m.id,
      compoundId: m.compound,
      zone,
      limits,
      periods: rows,
      compliantShare: { day: share('day'), night: share('night') },
      nightBursts: bursts,
      workHourViolations: work,
      hornEvents: horns,
      completeness,
      verdict: { pass: mine.length === 0, reasons: mine },
    };
  });
  if (!meters.length) reasons.push('no noise meters are registered');
  return {
    community: config.id,
    criterion: '10' as const,
    from: input.from,
    to: input.to,
    timezone: tz,
    dayPeriod: config.periods.day,
    dayMinutes,
    method:
      'Leq per local day and night = 10·log10(Σ 10^(Lᵢ/10) / N) over the stored 1-minute laeq readings (energy average, never arithmetic), judged against GB 3096-2008 table 1 ' +
      `(day ${config.periods.day}, night the rest, ${tz}); a night belongs to the date it starts on. Night burst: a night minute with Lmax above the night limit + 15 dB(A) (GB 3096-2008 5.4). ` +
      'Work-hour violations: noise.work_hours alerts raised in the period. Horn events: stored horn events (reasons only for horn-ban meters). ' +
      `Completeness = readings / (period ÷ reporting interval); required ≥ ${COMPLETENESS_REQUIRED * 100}%. Verdict: pass when every meter passes every check.`,
    devices,
    verdict: { pass: reasons.length === 0, reasons },
  };
}

export type NoiseEvidence = ReturnType<typeof noiseEvidence>;

/** A bucket length (minutes) that divides the day and the zone offset, so no bucket straddles day and night. */
export function bucketMinutes(dayRange: string, offsetMinutes: number): number {
  const r = parseHourRange(dayRange);
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  return [r.start, r.end % 1440, ((offsetMinutes % 60) + 60) % 60].reduce((g, x) => gcd(g, x), 60);
}

function previousDate(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}

export function noiseEvidenceCsv(e: NoiseEvidence): string {
  const rows = ['deviceId,zone,date,period,leq,limit,compliant,readings'];
  for (const d of e.devices) for (const p of d.periods) rows.push([d.deviceId, d.zone, p.date, p.period, p.leq, p.limit, p.compliant, p.readings].join(','));
  return `${rows.join('\n')}\n`;
}

export function noiseEvidenceHtml(e: NoiseEvidence): string {
  const sections = e.devices
    .map(
      (d) =>
        `<h2>${esc(d.deviceId)} · ${esc(d.compoundId)} · 第${esc(d.zone)}类 (${d.limits.day}/${d.limits.night} dB(A))</h2>
<p>${d.verdict.pass ? 'PASS 达标' : `FAIL 未达标: ${esc(d.verdict.reasons.join('; '))}`}; completeness ${esc(d.completeness)}</p>
<table><tr><th>date</th><th>period</th><th>Leq</th><th>limit</th><th>compliant</th><th>readings</th></tr>${d.periods.map((p) => `<tr><td>${esc(p.date)}</td><td>${esc(p.period)}</td><td>${esc(p.leq)}</td><td>${esc(p.limit)}</td><td>${p.compliant ? '✓' : '✗'}</td><td>${esc(p.readings)}</td></tr>`).join('')}</table>`,
    )
    .join('\n');
  return `<!doctype html><html lang="zh"><meta charset="utf-8"><title>criterion 10 · ${esc(e.community)}</title>
<h1>第10条 噪声 · ${esc(e.community)}</h1>
<p>${esc(new Date(e.from).toISOString())} – ${esc(new Date(e.to).toISOString())} (${esc(e.timezone)})</p>
<p><strong>${e.verdict.pass ? 'PASS 达标' : 'FAIL 未达标'}</strong> ${esc(e.verdict.reasons.join('; '))}</p>
${sections}
<h2>Method</h2><p>${esc(e.method)}</p></html>
`;
}
