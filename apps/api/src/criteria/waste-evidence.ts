import { type CommunityConfig, WASTE_CATEGORIES } from '#contracts';
import { resolveParams } from '#rules';
import { csv, esc, htmlTable as table, iso } from './report-format.js';

/**
 * Evidence for criterion 5 ("household-waste sorting covers every compound", criteria.md): the
 * bins per compound and category with their online rate, whether every compound has an online bin
 * of each category, every time a bin filled up (needs emptying) with how long it took to be
 * emptied and whether it overflowed, and a verdict with its reasons. Computed from the stored
 * readings and events (late data counts), with the community's own rule thresholds.
 */
export const BIN_ONLINE_RATE_REQUIRED = 0.95;
/** Fill levels are looked at as the highest reading per slot of this many minutes. */
export const FILL_SLOT_MINUTES = 10;

export interface WasteEvidenceInput {
  config: CommunityConfig;
  from: number;
  to: number;
  /** Hours of the period with at least one reading, per bin (and the category it reported). */
  hours: { device: string; category?: string; hoursWithData: number }[];
  /** The highest fillPct of each FILL_SLOT_MINUTES slot with readings, per bin. */
  fill: { device: string; t: number; maxPct: number }[];
  /** Stored `emptied` events. */
  emptied: { device: string; t: number }[];
}

export interface FillEpisode {
  deviceId: string;
  compoundId?: string;
  category?: string;
  /** Start of the first slot at or above the warning level. */
  start: number;
  peakPct: number;
  overflowed: boolean;
  endedBy: 'emptied' | 'fell below' | 'still full';
  end?: number;
  minutesToEmpty?: number;
  tooLong: boolean;
}

export function wasteEvidence(input: WasteEvidenceInput) {
  const { config, from, to } = input;
  const hours = Math.ceil((to - from) / 3_600_000);
  const configured = new Map(config.devices.filter((d) => d.type === 'waste_bin').map((d) => [d.id, d]));
  const reported = new Map(input.hours.map((h) => [h.device, h]));
  const binIds = [...new Set([...configured.keys(), ...reported.keys()])].sort();
  const bins = binIds.map((id) => {
    const device = configured.get(id);
    const seen = reported.get(id);
    const hoursWithData = Math.min(hours, seen?.hoursWithData ?? 0);
    return { deviceId: id, compoundId: device?.compound, category: device?.category ?? seen?.category, configured: device !== undefined, hoursWithData, hours, onlineRate: hours ? Math.round((hoursWithData / hours) * 1000) / 1000 : 0 };
  });

  const reasons: string[] = [];
  const compounds = config.compounds.map((c) => {
    const { categories } = resolveParams('waste.sorting_coverage', config, undefined, c.id);
    const coverage = categories.map((category) => {
      const here = bins.filter((b) => b.compoundId === c.id && b.category === category);
      const online = here.filter((b) => b.onlineRate >= BIN_ONLINE_RATE_REQUIRED);
      if (!here.length) reasons.push(`compound ${c.id} (${c.name}) has no ${category} bin`);
      else if (!online.length) reasons.push(`compound ${c.id} (${c.name}): no ${category} bin online ${BIN_ONLINE_RATE_REQUIRED * 100}% of the hours`);
      return { category, bins: here.map((b) => b.deviceId), online: online.map((b) => b.deviceId) };
    });
    return { compoundId: c.id, name: c.name, coverage, covered: coverage.every((k) => k.online.length > 0) };
  });
  for (const b of bins) if (b.configured && b.onlineRate < BIN_ONLINE_RATE_REQUIRED) reasons.push(`bin ${b.deviceId} reported in ${Math.round(b.onlineRate * 1000) / 10}% of hours (required ${BIN_ONLINE_RATE_REQUIRED * 100}%)`);

  const episodes = binIds.flatMap((id) => fillEpisodes(id, input, bins.find((b) => b.deviceId === id)!));
  for (const id of binIds) {
    const mine = episodes.filter((e) => e.deviceId === id);
    const overflowed = mine.filter((e) => e.overflowed).length;
    const slow = mine.filter((e) => e.tooLong).length;
    const device = configured.get(id);
    if (overflowed) reasons.push(`bin ${id} overflowed (≥ ${resolveParams('waste.overflow', config, device).critical}%) ${overflowed} time(s)`);
    if (slow) reasons.push(`bin ${id} stayed full (from ≥ ${resolveParams('waste.overflow', config, device).warning}% until emptied or below ${resolveParams('waste.overflow', config, device).clearBelow}%) for more than ${resolveParams('waste.not_emptied', config, device).hours} h ${slow} time(s)`);
  }
  const overflow = resolveParams('waste.overflow', config);
  const notEmptied = resolveParams('waste.not_emptied', config);
  return {
    community: config.id,
    criterion: '5' as const,
    from,
    to,
    method:
      `Online rate = hours with at least one waste_bin reading / hours in the period; required ≥ ${BIN_ONLINE_RATE_REQUIRED * 100}%. Coverage: every compound needs an online bin of each category (${WASTE_CATEGORIES.join(', ')}, or the compound's waste.sorting_coverage categories); a bin's category is configured, else the one it reports. ` +
      `A bin fills up when the highest fillPct of a ${FILL_SLOT_MINUTES}-minute slot reaches the waste.overflow warning level (${overflow.warning}% unless the community or bin says otherwise) and is emptied at its next emptied event, or when a slot's highest reading is below ${overflow.clearBelow}%; ` +
      `time to empty = that moment − the start of the first full slot (${FILL_SLOT_MINUTES}-minute precision). It overflowed when a slot reached the critical level (${overflow.critical}%); it took too long when it stayed full more than waste.not_emptied's ${notEmptied.hours} h. ` +
      'Verdict: pass when every compound is covered, every configured bin meets the online rate, and no bin overflowed or stayed full too long.',
    compounds,
    bins: bins.map(({ configured: _configured, ...b }) => ({ ...b, fillUps: episodes.filter((e) => e.deviceId === b.deviceId).length })),
    episodes,
    verdict: { pass: reasons.length === 0, reasons },
  };
}

export type WasteEvidence = ReturnType<typeof wasteEvidence>;

/** One bin's fill-ups over the period, from its slot maxima and emptied events in time order. */
function fillEpisodes(deviceId: string, input: WasteEvidenceInput, bin: { compoundId?: string; category?: string }): FillEpisode[] {
  const device = input.config.devices.find((d) => d.id === deviceId && d.type === 'waste_bin');
  const { warning, critical, clearBelow } = resolveParams('waste.overflow', input.config, device);
  const limitMs = resolveParams('waste.not_emptied', input.config, device).hours * 3_600_000;
  const timeline = [
    ...input.fill.filter((f) => f.device === deviceId).map((f) => ({ t: f.t, pct: f.maxPct })),
    ...input.emptied.filter((e) => e.device === deviceId).map((e) => ({ t: e.t, pct: undefined })),
  ].sort((a, b) => a.t - b.t || (a.pct === undefined ? 1 : -1));
  const out: FillEpisode[] = [];
  let open: { start: number; peak: number } | undefined;
  const close = (end: number | undefined, endedBy: FillEpisode['endedBy']) => {
    const o = open!;
    out.push({
      deviceId,
      ...(bin.compoundId ? { compoundId: bin.compoundId } : {}),
      ...(bin.category ? { category: bin.category } : {}),
      start: o.start,
      peakPct: o.peak,
      overflowed: o.peak >= critical,
      endedBy,
      ...(end === undefined ? {} : { end, minutesToEmpty: Math.round((end - o.start) / 60_000) }),
      tooLong: (end ?? input.to) - o.start > limitMs,
    });
    open = undefined;
  };
  for (const point of timeline) {
    if (point.pct === undefined) {
      if (open) close(point.t, 'emptied');
    } else if (open) {
      if (point.pct < clearBelow) close(point.t, 'fell below');
      else open.peak = Math.max(open.peak, point.pct);
    } else if (point.pct >= warning) {
      open = { start: point.t, peak: point.pct };
    }
  }
  if (open) close(undefined, 'still full');
  return out;
}

export function wasteEvidenceCsv(e: WasteEvidence): string {
  const head = ['deviceId', 'compoundId', 'category', 'start', 'peakPct', 'overflowed', 'endedBy', 'end', 'minutesToEmpty', 'tooLong'];
  return csv([head, ...e.episodes.map((x) => [x.deviceId, x.compoundId, x.category, iso(x.start), x.peakPct, x.overflowed, x.endedBy, iso(x.end), x.minutesToEmpty, x.tooLong])]);
}

export function wasteEvidenceHtml(e: WasteEvidence): string {
  return `<!doctype html><html lang="zh"><meta charset="utf-8"><title>criterion 5 · ${esc(e.community)}</title>
<h1>第5条 生活垃圾分类 · ${esc(e.community)}</h1>
<p>${esc(iso(e.from))} – ${esc(iso(e.to))}</p>
<p><strong>${e.verdict.pass ? 'PASS 达标' : 'FAIL 未达标'}</strong> ${esc(e.verdict.reasons.join('; '))}</p>
<h2>Compounds</h2>${table(['compound', 'name', 'category', 'bins', 'online'], e.compounds.flatMap((c) => c.coverage.map((k) => [c.compoundId, c.name, k.category, k.bins.join(' '), k.online.join(' ') || '✗'])))}
<h2>Bins</h2>${table(['bin', 'compound', 'category', 'online rate', 'hours with data', 'hours', 'fill-ups'], e.bins.map((b) => [b.deviceId, b.compoundId, b.category, b.onlineRate, b.hoursWithData, b.hours, b.fillUps]))}
<h2>Fill-ups</h2>${table(['bin', 'category', 'full from', 'peak %', 'overflowed', 'ended by', 'at', 'minutes to empty'], e.episodes.map((x) => [x.deviceId, x.category, iso(x.start), x.peakPct, x.overflowed ? '✗' : '', x.endedBy, iso(x.end), x.minutesToEmpty]))}
<h2>Method</h2><p>${esc(e.method)}</p></html>
`;
}
