import type { Prng } from '../prng.js';
import { type DeviceModel, type Emission, incidentsOf, phaseOf, ticks } from './model.js';
import { spread } from './waste-bin.js';

/**
 * A pedestrian access gate of a compound (门禁): face, card, QR-code (visitors), PIN and remote
 * (the guard) opening, a door contact, and the controller's own alarms.
 *
 * Residents pass at an hourly rate with morning and evening peaks (about 500 passages a day for a
 * compound of a few hundred households). Each passage is an `open` event, the door reported open
 * and then closed 3–8 s later (telemetry on every change, plus a heartbeat each interval); about
 * 3 % of attempts are denied (an expired card, a face not recognised), half of them retried.
 * The controller raises `held_open` when the door stays open 60 s, the rule's threshold.
 */
const PASSAGES_BY_HOUR = [2, 1, 0.5, 0.5, 1, 4, 20, 45, 40, 20, 15, 18, 22, 15, 12, 14, 18, 35, 45, 35, 25, 18, 10, 5];
const HELD_OPEN_ALARM_S = 60;

type Method = 'card' | 'face' | 'qr' | 'password' | 'remote';
const METHODS: Method[] = ['face', 'card', 'qr', 'password', 'remote'];

/** Faces by day, cards more often early (older residents), QR codes for visitors in visiting hours. */
function methodFor(rng: Prng, hour: number): Method {
  const visitors = hour >= 9 && hour < 21 ? 0.12 : 0.02;
  const cards = hour < 8 ? 0.35 : 0.22;
  return rng.weighted(METHODS, [1 - visitors - cards - 0.05, cards, visitors, 0.03, 0.02]);
}

interface Action {
  at: number;
  run: () => void;
}

export const accessGate: DeviceModel = function* (ctx) {
  const { clock, rng } = ctx;
  const out: Emission[] = [];
  let openSince: number | undefined;
  let closeAt = 0;
  const open = (at: number, until: number) => {
    if (openSince === undefined) {
      openSince = at;
      out.push({ ts: at + 400, channel: 'telemetry', body: { doorClosed: false, gateOnline: true } });
    }
    closeAt = Math.max(closeAt, until);
  };
  const closeIfDue = (now: number) => {
    if (openSince !== undefined && closeAt <= now) {
      out.push({ ts: closeAt, channel: 'telemetry', body: { doorClosed: true, gateOnline: true } });
      openSince = undefined;
    }
  };
  const instants = (kind: 'forced_open' | 'held_open' | 'tailgating') =>
    incidentsOf(ctx, kind).flatMap((i) => (kind === 'tailgating' ? spread(i.start, i.end, i.params.count as number) : [i.start]).map((at) => ({ at, incident: i })));
  const forced = instants('forced_open');
  const held = instants('held_open');
  const tailgates = instants('tailgating');

  const phase = phaseOf(ctx);
  let previous = ctx.start + phase - ctx.intervalMs;
  for (const t of ticks(ctx, phase)) {
    const actions: Action[] = [];
    const hour = Math.floor(clock.local(t).hour);
    for (let n = rng.poisson((PASSAGES_BY_HOUR[hour] * (t - previous)) / 3_600_000); n > 0; n--) {
      const at = previous + 1 + rng.int(t - previous - 1);
      const method = methodFor(rng, hour);
      const denied = rng.chance(0.03);
      const retry = denied && rng.chance(0.5);
      const dwell = rng.uniform(3000, 8000);
      actions.push({
        at,
        run: () => {
          if (openSince !== undefined && closeAt > at) return; // walks through a door already open
          if (denied) {
            out.push({ ts: at, channel: 'event', body: { type: 'denied' } });
            if (!retry) return;
          }
          const opened = retry ? at + 4000 : at;
          out.push({ ts: opened, channel: 'event', body: { type: 'open', method } });
          open(opened, opened + dwell);
        },
      });
    }
    for (const { at, incident } of forced) {
      if (at > previous && at <= t) actions.push({ at, run: () => { out.push({ ts: at, channel: 'event', body: { type: 'forced_open' } }); open(at, at + (incident.params.openSeconds as number) * 1000); } });
    }
    for (const { at, incident } of held) {
      if (at > previous && at <= t) {
        actions.push({ at, run: () => { out.push({ ts: at, channel: 'event', body: { type: 'open', method: 'card' } }); open(at, incident.end); } });
      }
      const alarm = at + HELD_OPEN_ALARM_S * 1000;
      if (alarm > previous && alarm <= t && incident.end - at >= HELD_OPEN_ALARM_S * 1000) actions.push({ at: alarm, run: () => out.push({ ts: alarm, channel: 'event', body: { type: 'held_open', seconds: HELD_OPEN_ALARM_S } }) });
    }
    for (const { at } of tailgates) {
      if (at > previous && at <= t) {
        actions.push({ at, run: () => { out.push({ ts: at, channel: 'event', body: { type: 'open', method: 'face' } }); open(at, at + 6000); out.push({ ts: at + 2000, channel: 'event', body: { type: 'tailgating' } }); } });
      }
    }
    actions.sort((a, b) => a.at - b.at);
    for (const a of actions) {
      closeIfDue(a.at);
      a.run();
    }
    closeIfDue(t);
    const due = out.filter((e) => e.ts <= t).sort((a, b) => a.ts - b.ts);
    const later = out.filter((e) => e.ts > t);
    out.length = 0;
    out.push(...later);
    yield* due;
    yield { ts: t, channel: 'telemetry', body: { doorClosed: openSince === undefined || openSince > t, gateOnline: true } };
    previous = t;
  }
};
