import { MINUTE, type RuleEvaluator, clear, isEvent, num, raise } from './types.js';

/** Security rules of criterion 12 (intelligent security system). */

/** security.gate_forced: a `forced_open` event (critical). It clears only when a person acknowledges it. */
export const gateForced: RuleEvaluator<'security.gate_forced', Record<string, never>> = {
  rule: 'security.gate_forced',
  deviceType: 'access_gate',
  init: () => ({}),
  step(_s, msg) {
    return isEvent(msg, 'forced_open') ? raise(msg.ts, 'critical', 1, 1) : undefined;
  },
};

/** security.gate_held_open: `held_open` ≥ 60 s, or `doorClosed` false for ≥ 60 s; clears when the door closes. */
export const gateHeldOpen: RuleEvaluator<'security.gate_held_open', { openSince: number }> = {
  rule: 'security.gate_held_open',
  deviceType: 'access_gate',
  init: () => ({ openSince: -1 }),
  step(s, msg, { params: p }) {
    if (isEvent(msg, 'held_open')) {
      const seconds = num(msg, 'seconds') ?? 0;
      return seconds >= p.seconds ? raise(msg.ts, 'warning', seconds, p.seconds) : undefined;
    }
    if (msg.channel !== 'telemetry' || typeof msg.fields.doorClosed !== 'boolean') return undefined;
    if (msg.fields.doorClosed) {
      s.openSince = -1;
      return clear(msg.ts);
    }
    if (s.openSince < 0) s.openSince = msg.ts;
    const open = (msg.ts - s.openSince) / 1000;
    return open >= p.seconds ? raise(msg.ts, 'warning', open, p.seconds) : undefined;
  },
};

/** security.tailgating: ≥ 3 `tailgating` events at one gate within 10 minutes; clears after 30 minutes without one. */
export const gateTailgating: RuleEvaluator<'security.tailgating', { events: number[] }> = {
  rule: 'security.tailgating',
  deviceType: 'access_gate',
  init: () => ({ events: [] }),
  step(s, msg, { params: p }) {
    if (isEvent(msg, 'tailgating')) {
      s.events = s.events.filter((t) => msg.ts - t < p.windowMinutes * MINUTE).slice(-(p.count - 1));
      s.events.push(msg.ts);
      return s.events.length >= p.count ? raise(msg.ts, 'warning', s.events.length, p.count, { window: `${p.windowMinutes}m` }) : undefined;
    }
    const last = s.events[s.events.length - 1];
    if (last !== undefined && msg.ts - last >= p.quietMinutes * MINUTE) {
      s.events = [];
      return clear(msg.ts);
    }
    return undefined;
  },
};
