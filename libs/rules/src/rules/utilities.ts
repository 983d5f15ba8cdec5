import { inRange, localTime, parseHourRange } from '../local-time.js';
import { MINUTE, type RuleEvaluator, clear, isEvent, num, raise, round1 } from './types.js';

/** Smart water, gas and EV charging (criteria 4 and 6). */

/** ev.fault: `state` = fault or a `fault` event; clears when `state` ≠ fault. */
export const evFault: RuleEvaluator<'ev.fault', Record<string, never>> = {
  rule: 'ev.fault',
  deviceType: 'ev_charger',
  init: () => ({}),
  step(_s, msg) {
    if (isEvent(msg, 'fault')) return raise(msg.ts, 'warning', 1, undefined, { code: String(msg.fields.code) });
    if (msg.channel !== 'telemetry' || typeof msg.fields.state !== 'string') return undefined;
    return msg.fields.state === 'fault' ? raise(msg.ts, 'warning', 1) : clear(msg.ts);
  },
};

/** ev.overtemp: tempC ≥ 80 while charging (critical ≥ 95); clears below 65. */
export const evOvertemp: RuleEvaluator<'ev.overtemp', Record<string, never>> = {
  rule: 'ev.overtemp',
  deviceType: 'ev_charger',
  init: () => ({}),
  step(_s, msg, { params: p }) {
    const t = num(msg, 'tempC');
    if (msg.channel !== 'telemetry' || t === undefined) return undefined;
    if (msg.fields.state === 'charging' && t >= p.warning) return raise(msg.ts, t >= p.critical ? 'critical' : 'warning', t, p.warning);
    if (t < p.clearBelow) return clear(msg.ts, t);
    return undefined;
  },
};

/** gas.leak: methaneLel ≥ 20 %LEL (critical ≥ 50) or a `leak_alarm` event; clears below 10. */
export const gasLeak: RuleEvaluator<'gas.leak', Record<string, never>> = {
  rule: 'gas.leak',
  deviceType: 'gas_meter',
  init: () => ({}),
  step(_s, msg, { params: p }) {
    const lel = num(msg, 'methaneLel');
    if (isEvent(msg, 'leak_alarm')) return raise(msg.ts, (lel ?? 0) >= p.critical ? 'critical' : 'warning', lel, p.warning, { source: 'leak_alarm' });
    if (msg.channel !== 'telemetry' || lel === undefined) return undefined;
    if (lel >= p.warning) return raise(msg.ts, lel >= p.critical ? 'critical' : 'warning', lel, p.warning);
    if (lel < p.clearBelow) return clear(msg.ts, lel);
    return undefined;
  },
};

export interface WaterLeakState {
  lastTotal: number;
  lastTs: number;
  burstSince: number;
  /** The night window being watched: local date, first and last reading, lowest flow; done once judged. */
  nightDate: string;
  nightFirst: number;
  nightLast: number;
  nightMin: number;
  nightDone: boolean;
}

/**
 * water.leak: flow never drops to zero during 02:00–05:00 local (judged at the first reading
 * after the window, when the window's readings span ≥ 150 minutes; warning), or `flowLpm` above
 * 30 for 10 minutes (critical); clears on a zero-flow reading. Without `flowLpm`, the flow comes
 * from the change of the `totalM3` register between two readings.
 */
export const waterLeak: RuleEvaluator<'water.leak', WaterLeakState> = {
  rule: 'water.leak',
  deviceType: 'water_meter',
  init: () => ({ lastTotal: -1, lastTs: -1, burstSince: -1, nightDate: '', nightFirst: -1, nightLast: -1, nightMin: Infinity, nightDone: false }),
  step(s, msg, ctx) {
    const p = ctx.params;
    const total = num(msg, 'totalM3');
    if (msg.channel !== 'telemetry' || total === undefined) return undefined;
    let flow = num(msg, 'flowLpm');
    if (flow === undefined && s.lastTs >= 0 && msg.ts > s.lastTs) flow = Math.max(0, ((total - s.lastTotal) * 1000) / ((msg.ts - s.lastTs) / MINUTE));
    s.lastTotal = total;
    s.lastTs = msg.ts;
    if (flow === undefined) return undefined;
    if (flow === 0) {
      s.burstSince = -1;
      s.nightMin = 0;
      return clear(msg.ts, 0);
    }
    let verdict;
    // Continuous night flow
    const local = localTime(msg.ts, ctx.timeZone);
    const night = parseHourRange(p.nightHours[0]);
    if (inRange(local.minuteOfDay, night)) {
      if (s.nightDate !== local.date) Object.assign(s, { nightDate: local.date, nightFirst: msg.ts, nightMin: flow, nightDone: false });
      s.nightLast = msg.ts;
      s.nightMin = Math.min(s.nightMin, flow);
    } else if (s.nightDate === local.date && !s.nightDone && local.minuteOfDay >= night.end) {
      s.nightDone = true;
      if (s.nightMin > 0 && s.nightLast - s.nightFirst >= p.minNightSpanMinutes * MINUTE) verdict = raise(msg.ts, 'warning', round1(s.nightMin), 0, { reason: 'night_flow' });
    }
    // Burst
    if (flow > p.burstLpm) {
      if (s.burstSince < 0) s.burstSince = msg.ts;
      if (msg.ts - s.burstSince + ctx.intervalMs >= p.burstMinutes * MINUTE) return raise(msg.ts, 'critical', round1(flow), p.burstLpm, { reason: 'burst' });
    } else s.burstSince = -1;
    return verdict;
  },
};
