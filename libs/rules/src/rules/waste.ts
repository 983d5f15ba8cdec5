import { MINUTE, type RuleEvaluator, clear, isEvent, num, raise, round1 } from './types.js';

/** Waste rules of criterion 5 (sorting coverage is per compound: ../coverage.ts). */

/** waste.overflow: fillPct ≥ 80 warning (needs emptying), ≥ 95 critical; clears below 50 or on `emptied`. */
export const wasteOverflow: RuleEvaluator<'waste.overflow', Record<string, never>> = {
  rule: 'waste.overflow',
  deviceType: 'waste_bin',
  init: () => ({}),
  step(_s, msg, { params: p }) {
    if (isEvent(msg, 'emptied')) return clear(msg.ts);
    const fill = num(msg, 'fillPct');
    if (msg.channel !== 'telemetry' || fill === undefined) return undefined;
    if (fill >= p.critical) return raise(msg.ts, 'critical', fill, p.critical);
    if (fill >= p.warning) return raise(msg.ts, 'warning', fill, p.warning);
    if (fill < p.clearBelow) return clear(msg.ts, fill);
    return undefined;
  },
};

/**
 * waste.not_emptied: a bin stays ≥ 80% for more than 4 hours; clears when emptied. "Stays" ends
 * only with an emptying (an `emptied` event, or a fill below 50%): a sensor wavering at 79/81
 * does not restart the clock.
 */
export const wasteNotEmptied: RuleEvaluator<'waste.not_emptied', { fullSince: number }> = {
  rule: 'waste.not_emptied',
  deviceType: 'waste_bin',
  init: () => ({ fullSince: -1 }),
  step(s, msg, { params: p }) {
    const fill = num(msg, 'fillPct');
    if (isEvent(msg, 'emptied') || (fill !== undefined && fill < p.clearBelow)) {
      s.fullSince = -1;
      return clear(msg.ts, fill);
    }
    if (msg.channel !== 'telemetry' || fill === undefined) return undefined;
    if (fill >= p.fillPct && s.fullSince < 0) s.fullSince = msg.ts;
    if (s.fullSince >= 0 && msg.ts - s.fullSince > p.hours * 60 * MINUTE) return raise(msg.ts, 'warning', round1((msg.ts - s.fullSince) / (60 * MINUTE)), p.fillPct, { hours: p.hours });
    return undefined;
  },
};

/** waste.fire: tempC ≥ 60 (critical); clears below 45. */
export const wasteFire: RuleEvaluator<'waste.fire', Record<string, never>> = {
  rule: 'waste.fire',
  deviceType: 'waste_bin',
  init: () => ({}),
  step(_s, msg, { params: p }) {
    const t = num(msg, 'tempC');
    if (msg.channel !== 'telemetry' || t === undefined) return undefined;
    if (t >= p.tempC) return raise(msg.ts, 'critical', t, p.tempC);
    if (t < p.clearBelow) return clear(msg.ts, t);
    return undefined;
  },
};
