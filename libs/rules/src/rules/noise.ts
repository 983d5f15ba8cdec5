import type { NoiseZone, RegisteredDevice } from '#contracts';
import { DEFAULT_PERMITTED } from '../catalogue.js';
import { type EnergyWindowState, addLevel, newEnergyWindow, windowLeq } from '../energy-window.js';
import { inAnyRange, localTime, parseHourRange } from '../local-time.js';
import { type Period, periodAt, zoneLimit } from '../noise-limits.js';
import { MINUTE, type RuleContext, type RuleEvaluator, clear, isEvent, num, raise, round1 } from './types.js';

/** Noise rules of criterion 10 (criteria.md, "Noise (criterion 10): the numbers"). */

function limitAt(ts: number, ctx: RuleContext<'noise.zone_limit' | 'noise.night_burst' | 'noise.work_hours'>, limits?: { dayLimit?: number; nightLimit?: number }): { period: Period; limit: number } {
  const period = periodAt(ts, ctx.timeZone, ctx.day);
  const zone = ctx.device!.zone as NoiseZone;
  return { period, limit: zoneLimit(zone, period, { day: limits?.dayLimit, night: limits?.nightLimit }) };
}

const hasZone = (d: RegisteredDevice | undefined) => d?.zone !== undefined;

/**
 * noise.zone_limit: the energy-average of the last 60 minutes of event time exceeds the limit
 * of the current period (warning; critical at +10 dB); clears when the same average is 2 dB
 * below the limit. The period is that of the newest reading, so at 06:10 the hour 05:10–06:10
 * is judged against the day limit.
 */
export const noiseZoneLimit: RuleEvaluator<'noise.zone_limit', EnergyWindowState> = {
  rule: 'noise.zone_limit',
  deviceType: 'noise',
  appliesTo: hasZone,
  init: () => newEnergyWindow(60),
  step(w, msg, ctx) {
    const laeq = num(msg, 'laeq');
    if (msg.channel !== 'telemetry' || laeq === undefined) return undefined;
    const p = ctx.params;
    if (w.minute.length !== p.windowMinutes) Object.assign(w, newEnergyWindow(p.windowMinutes));
    addLevel(w, msg.ts, laeq);
    const { leq, spanMinutes } = windowLeq(w, msg.ts);
    const { period, limit } = limitAt(msg.ts, ctx, p);
    const context = { window: `${p.windowMinutes === 60 ? '1h' : `${p.windowMinutes}m`}`, period, zone: ctx.device!.zone! };
    if (leq > limit && spanMinutes >= p.minSpanMinutes) return raise(msg.ts, leq > limit + p.criticalAbove ? 'critical' : 'warning', round1(leq), limit, context);
    if (leq <= limit - p.clearBelow) return clear(msg.ts, round1(leq));
    return undefined;
  },
};

/** noise.night_burst: at night, a minute's lmax above the night limit + 15; clears after 15 minutes without one. */
export const noiseNightBurst: RuleEvaluator<'noise.night_burst', { lastBurst: number }> = {
  rule: 'noise.night_burst',
  deviceType: 'noise',
  appliesTo: hasZone,
  init: () => ({ lastBurst: -1 }),
  step(s, msg, ctx) {
    if (msg.channel !== 'telemetry') return undefined;
    const lmax = num(msg, 'lmax');
    const { period } = limitAt(msg.ts, ctx);
    const threshold = zoneLimit(ctx.device!.zone as NoiseZone, 'night') + ctx.params.above;
    if (period === 'night' && lmax !== undefined && lmax > threshold) {
      s.lastBurst = msg.ts;
      return raise(msg.ts, 'warning', lmax, threshold, { period, zone: ctx.device!.zone! });
    }
    if (s.lastBurst >= 0 && msg.ts - s.lastBurst >= ctx.params.quietMinutes * MINUTE) return clear(msg.ts, lmax);
    return undefined;
  },
};

/**
 * noise.work_hours: a construction or renovation site reads above its zone's limit outside its
 * permitted hours for ≥ 5 minutes; clears after 15 quiet minutes. A run of loud readings covers
 * from the first one's time to the last one's time plus one reporting interval (a 1-minute Leq
 * covers a minute), and a gap longer than two intervals breaks it.
 */
export const noiseWorkHours: RuleEvaluator<'noise.work_hours', { runStart: number; lastLoud: number }> = {
  rule: 'noise.work_hours',
  deviceType: 'noise',
  appliesTo: (d) => hasZone(d) && (d!.site === 'construction' || d!.site === 'renovation'),
  init: () => ({ runStart: -1, lastLoud: -1 }),
  step(s, msg, ctx) {
    const laeq = num(msg, 'laeq');
    if (msg.channel !== 'telemetry' || laeq === undefined) return undefined;
    const site = ctx.device!.site as 'construction' | 'renovation';
    const hours = ctx.params.permittedHours ?? ctx.device!.permittedHours ?? DEFAULT_PERMITTED[site].hours;
    const days: readonly number[] = ctx.params.days ?? DEFAULT_PERMITTED[site].days;
    const local = localTime(msg.ts, ctx.timeZone);
    const permitted = days.includes(local.isoWeekday) && inAnyRange(local.minuteOfDay, hours.map(parseHourRange));
    const { period, limit } = limitAt(msg.ts, ctx);
    if (laeq > limit && !permitted) {
      if (s.runStart < 0 || msg.ts - s.lastLoud > 2 * ctx.intervalMs) s.runStart = msg.ts;
      s.lastLoud = msg.ts;
      if (msg.ts - s.runStart + ctx.intervalMs >= ctx.params.minMinutes * MINUTE) return raise(msg.ts, 'warning', laeq, limit, { period, site, zone: ctx.device!.zone! });
      return undefined;
    }
    s.runStart = -1;
    if (s.lastLoud >= 0 && msg.ts - s.lastLoud >= ctx.params.quietMinutes * MINUTE) return clear(msg.ts, laeq);
    return undefined;
  },
};

/**
 * noise.horn_ban: a `horn` event from a meter in a horn-ban area (info; warning at ≥ 3 within
 * 10 minutes); clears after 30 minutes without one, judged on the meter's next messages.
 */
export const noiseHornBan: RuleEvaluator<'noise.horn_ban', { horns: number[] }> = {
  rule: 'noise.horn_ban',
  deviceType: 'noise',
  appliesTo: (d) => d?.hornBan === true,
  init: () => ({ horns: [] }),
  step(s, msg, ctx) {
    const p = ctx.params;
    if (isEvent(msg, 'horn')) {
      s.horns = s.horns.filter((t) => msg.ts - t < p.windowMinutes * MINUTE).slice(-(p.warningCount - 1));
      s.horns.push(msg.ts);
      const count = s.horns.length;
      return raise(msg.ts, count >= p.warningCount ? 'warning' : 'info', count, p.warningCount, { window: `${p.windowMinutes}m` });
    }
    const last = s.horns[s.horns.length - 1];
    if (last !== undefined && msg.ts - last >= p.quietMinutes * MINUTE) {
      s.horns = [];
      return clear(msg.ts);
    }
    return undefined;
  },
};
