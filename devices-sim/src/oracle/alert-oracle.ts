import { WASTE_CATEGORIES } from '#contracts';
import { GB3096_LIMITS, NIGHT_BURST_MARGIN_DB, energyOf, levelOf } from '../acoustics.js';
import { inAnyRange, MINUTE_MS, parseMinuteRange } from '../local-time.js';
import type { PlannedStep } from '../plan/device-plan.js';
import type { ScenarioRun } from '../plan/scenario-run.js';
import type { RuleId } from '../scenario/incident-kinds.js';

/**
 * The simulator's own reading of the rule table in shared/design/criteria.md (raise and clear
 * conditions, default thresholds), applied to a planned run. It is a test oracle, not the rules
 * service: it checks that the alerts a scenario declares are the ones its signals cause, and that
 * quiet-day causes none. Where the table leaves a choice open, the choice is noted inline.
 */
export interface PredictedAlert {
  rule: RuleId;
  device: string;
  at: number;
  value?: number;
}

const HOUR_MS = 3_600_000;
/** criteria.md device.offline: "3 × its reporting interval (default 5 minutes)". */
const DEFAULT_REPORTING_S = 300;

interface NoiseState {
  window: { ts: number; energy: number }[];
  sum: number;
  lastBurst: number;
  aboveSince?: number;
  quietSince?: number;
  lastHorn: number;
}

export function predictAlerts(run: ScenarioRun, steps: Iterable<PlannedStep> = run.steps()): PredictedAlert[] {
  const alerts: PredictedAlert[] = [];
  const active = new Set<string>();
  const raise = (rule: RuleId, device: string, at: number, value?: number) => {
    const key = `${rule}|${device}`;
    if (active.has(key)) return;
    active.add(key);
    alerts.push(value === undefined ? { rule, device, at } : { rule, device, at, value });
  };
  const clear = (rule: RuleId, device: string) => active.delete(`${rule}|${device}`);
  const isActive = (rule: RuleId, device: string) => active.has(`${rule}|${device}`);
  const { clock } = run;

  // waste.sorting_coverage: every compound needs a bin of each category (all bins stay online here).
  for (const compound of run.scenario.community.compounds) {
    const present = new Set(run.devices.filter((d) => d.config.compound === compound.id && d.deviceType === 'waste_bin').map((d) => d.config.category));
    if (WASTE_CATEGORIES.some((c) => !present.has(c))) raise('waste.sorting_coverage', compound.id, run.start);
  }

  const noise = new Map<number, NoiseState>();
  const over80Since = new Map<number, number>();
  const doorOpenSince = new Map<number, number>();
  const tailgates = new Map<number, number[]>();
  const burstSince = new Map<number, number>();
  const nightWindow = new Map<number, { day: number; readings: number; sawZero: boolean }>();
  const lastSeen = run.devices.map(() => run.start);
  const dropped = new Set<number>();
  let clockTs = run.start;
  let nextOfflineCheck = run.start;

  for (const step of steps) {
    const device = run.devices[step.device];
    const id = device.deviceId;
    if (step.kind === 'drop') {
      dropped.add(step.device);
      raise('device.offline', id, step.ts); // the broker publishes the last will at once
      continue;
    }
    if (step.kind === 'reconnect') {
      dropped.delete(step.device);
      continue;
    }
    const ts = step.ts;
    clockTs = Math.max(clockTs, ts);
    lastSeen[step.device] = ts;
    clear('device.offline', id);
    if (ts >= nextOfflineCheck) {
      nextOfflineCheck = ts + MINUTE_MS;
      run.devices.forEach((d, i) => {
        const silence = 3 * (d.config.intervalS ?? DEFAULT_REPORTING_S) * 1000;
        if (clockTs - lastSeen[i] > silence) raise('device.offline', d.deviceId, lastSeen[i] + silence);
      });
    }
    if (step.channel === 'status') continue;
    const p = JSON.parse(step.payload) as Record<string, number | string | boolean>;
    const event = step.channel === 'event' ? (p.type as string) : undefined;

    switch (device.deviceType) {
      case 'noise': {
        const cfg = device.config;
        const limits = GB3096_LIMITS[cfg.zone ?? '1'];
        const s = noise.get(step.device) ?? { window: [], sum: 0, lastBurst: -Infinity, lastHorn: -Infinity };
        noise.set(step.device, s);
        if (event === 'horn') {
          if (cfg.hornBan) {
            s.lastHorn = ts;
            raise('noise.horn_ban', id, ts, p.lmax as number);
          }
          break;
        }
        if (event) break;
        if (isActive('noise.horn_ban', id) && ts - s.lastHorn >= 30 * MINUTE_MS) clear('noise.horn_ban', id);
        const day = clock.isDay(ts);
        const limit = day ? limits.day : limits.night;
        const laeq = p.laeq as number;
        // noise.zone_limit: energy average over the last 60 minutes of event time.
        s.window.push({ ts, energy: energyOf(laeq) });
        s.sum += energyOf(laeq);
        while (s.window[0].ts <= ts - HOUR_MS) s.sum -= s.window.shift()!.energy;
        const leq = levelOf(s.sum / s.window.length);
        if (leq > limit) raise('noise.zone_limit', id, ts, leq);
        else if (leq <= limit - 2) clear('noise.zone_limit', id);
        // noise.night_burst: Lmax over the night limit + 15; clears after 15 minutes without one.
        if (!day && (p.lmax as number) > limits.night + NIGHT_BURST_MARGIN_DB) {
          s.lastBurst = ts;
          raise('noise.night_burst', id, ts, p.lmax as number);
        } else if (ts - s.lastBurst >= 15 * MINUTE_MS) clear('noise.night_burst', id);
        // noise.work_hours: a site above its zone limit outside its permitted hours for ≥ 5 minutes
        // (here: readings above for 5 minutes of event time, the first one included).
        if (cfg.site === 'construction' || cfg.site === 'renovation') {
          const permitted = (cfg.permittedHours ?? []).map(parseMinuteRange);
          const violating = laeq > limit && !inAnyRange(permitted, clock.local(ts).minuteOfDay);
          if (violating) {
            s.quietSince = undefined;
            s.aboveSince ??= ts;
            if (ts - s.aboveSince >= 4 * MINUTE_MS) raise('noise.work_hours', id, ts, laeq);
          } else {
            s.aboveSince = undefined;
            s.quietSince ??= ts;
            if (ts - s.quietSince >= 15 * MINUTE_MS) clear('noise.work_hours', id);
          }
        }
        break;
      }
      case 'waste_bin': {
        if (event === 'emptied') {
          clear('waste.overflow', id);
          clear('waste.not_emptied', id);
          over80Since.delete(step.device);
          break;
        }
        if (event) break;
        const fill = p.fillPct as number;
        if (fill >= 80) raise('waste.overflow', id, ts, fill);
        else if (fill < 50) clear('waste.overflow', id);
        if (fill >= 80) {
          const since = over80Since.get(step.device) ?? ts;
          over80Since.set(step.device, since);
          if (ts - since > 4 * HOUR_MS) raise('waste.not_emptied', id, ts, fill);
        } else over80Since.delete(step.device);
        if ((p.tempC as number) >= 60) raise('waste.fire', id, ts, p.tempC as number);
        else if ((p.tempC as number) < 45) clear('waste.fire', id);
        break;
      }
      case 'access_gate': {
        if (event === 'forced_open') raise('security.gate_forced', id, ts);
        if (event === 'held_open' && (p.seconds as number) >= 60) raise('security.gate_held_open', id, ts, p.seconds as number);
        if (event === 'tailgating') {
          const recent = (tailgates.get(step.device) ?? []).filter((x) => x > ts - 10 * MINUTE_MS);
          recent.push(ts);
          tailgates.set(step.device, recent);
          if (recent.length >= 3) raise('security.tailgating', id, ts, recent.length);
        }
        if (!event) {
          const recent = tailgates.get(step.device) ?? [];
          if (isActive('security.tailgating', id) && ts - recent[recent.length - 1] >= 30 * MINUTE_MS) clear('security.tailgating', id);
          if (p.doorClosed === false) {
            const since = doorOpenSince.get(step.device) ?? ts;
            doorOpenSince.set(step.device, since);
            if (ts - since >= 60_000) raise('security.gate_held_open', id, since + 60_000);
          } else {
            const since = doorOpenSince.get(step.device);
            if (since !== undefined && ts - since >= 60_000) raise('security.gate_held_open', id, since + 60_000);
            doorOpenSince.delete(step.device);
            clear('security.gate_held_open', id);
          }
        }
        break;
      }
      case 'ev_charger': {
        if (event === 'fault' || p.state === 'fault') raise('ev.fault', id, ts);
        if (event) break;
        if (p.state !== 'fault') clear('ev.fault', id);
        if (p.state === 'charging' && (p.tempC as number) >= 80) raise('ev.overtemp', id, ts, p.tempC as number);
        else if ((p.tempC as number) < 65) clear('ev.overtemp', id);
        break;
      }
      case 'water_meter': {
        if (event) break;
        const flow = p.flowLpm as number;
        if (flow === 0) clear('water.leak', id);
        // Continuous night flow: judged when the 02:00–05:00 window of a local day has passed.
        const local = clock.local(ts);
        let w = nightWindow.get(step.device);
        if (!w || w.day !== local.day) {
          w = { day: local.day, readings: 0, sawZero: false };
          nightWindow.set(step.device, w);
        }
        if (local.minuteOfDay >= 120 && local.minuteOfDay < 300) {
          w.readings++;
          if (flow === 0) w.sawZero = true;
        } else if (local.minuteOfDay >= 300 && w.readings > 0) {
          if (!w.sawZero) raise('water.leak', id, clock.fromLocal(local.day, 300));
          w.readings = 0;
        }
        // Burst: above 30 L/min for 10 minutes.
        if (flow > 30) {
          const since = burstSince.get(step.device) ?? ts;
          burstSince.set(step.device, since);
          if (ts - since >= 10 * MINUTE_MS) raise('water.leak', id, ts, flow);
        } else burstSince.delete(step.device);
        break;
      }
      case 'gas_meter': {
        if (event === 'leak_alarm') raise('gas.leak', id, ts, p.methaneLel as number);
        if (event) break;
        const lel = p.methaneLel as number;
        if (lel >= 20) raise('gas.leak', id, ts, lel);
        else if (lel < 10) clear('gas.leak', id);
        break;
      }
    }
  }
  return alerts;
}
