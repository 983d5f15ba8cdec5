import type { RuleId } from '../scenario/incident-kinds.js';
import type { ScenarioFile } from '../scenario/scenario-file.js';
import type { LocalMoment } from '../durations.js';
import { DAY_MS, LocalClock } from '../local-time.js';
import { DEFAULT_INTERVAL_S, type DeviceIncident, type ModelContext } from '../models/model.js';
import { Prng } from '../prng.js';
import { type PlannedDevice, type PlannedStep, devicePlan, plannedDevice } from './device-plan.js';

/** An alert a scenario says it causes, at absolute virtual time. */
export interface ExpectedAlert {
  rule: RuleId;
  device: string;
  at: number;
  toleranceMs: number;
  /** The incident that causes it (kind@device). */
  cause: string;
}

export interface ResolvedIncident extends DeviceIncident {
  device: string;
}

export interface RunOptions {
  /** Virtual start, epoch ms; day 0 of the scenario is the local date of this instant. */
  start: number;
  seed: string | number;
  /** Overrides the scenario's duration (a shorter replay in tests). */
  durationMs?: number;
}

/**
 * A scenario bound to a start time and a seed: the devices, the incidents and expected alerts at
 * absolute times, and the merged, virtual-time-ordered plan of everything the devices do.
 */
export class ScenarioRun {
  readonly clock: LocalClock;
  readonly start: number;
  readonly end: number;
  readonly seed: string;
  readonly devices: PlannedDevice[];
  readonly incidents: ResolvedIncident[];
  /** Expected alerts of incidents inside the run, sorted by time. */
  readonly expected: ExpectedAlert[];

  constructor(
    readonly scenario: ScenarioFile,
    options: RunOptions,
  ) {
    const community = scenario.community;
    this.clock = new LocalClock(community.timezone, community.periods.day);
    this.start = options.start;
    this.end = options.start + (options.durationMs ?? scenario.durationMs);
    this.seed = String(options.seed);
    this.devices = community.devices.map((d, i) => plannedDevice(community.id, d, i));
    const day0 = this.clock.local(this.start).day;
    const resolve = (m: LocalMoment) => this.clock.fromLocal(day0 + m.day, 0) + m.secondOfDay * 1000;
    this.incidents = [];
    this.expected = [];
    for (const inc of scenario.incidents) {
      const start = resolve(inc.start);
      if (start < this.start || start >= this.end) continue; // outside this run (a late --start, a shortened replay)
      this.incidents.push({ kind: inc.kind, device: inc.device, start, end: start + inc.durationMs, params: inc.params });
      for (const e of inc.expect) {
        const at = resolve(e.at);
        if (at < this.end) this.expected.push({ rule: e.rule, device: e.device, at, toleranceMs: e.toleranceMs, cause: `${inc.kind}@${inc.device}` });
      }
    }
    this.expected.sort((a, b) => a.at - b.at || a.rule.localeCompare(b.rule));
  }

  /** The model context of one device: its own random stream, derived from the seed and its id. */
  contextOf(device: PlannedDevice): ModelContext {
    return {
      community: this.scenario.community,
      device: device.config,
      clock: this.clock,
      rng: Prng.for(this.seed, this.scenario.community.id, device.deviceId),
      start: this.start,
      end: this.end,
      intervalMs: (device.config.intervalS ?? DEFAULT_INTERVAL_S) * 1000,
      incidents: this.incidents.filter((i) => i.device === device.deviceId),
    };
  }

  /** Everything one device does, in order. */
  deviceSteps(device: PlannedDevice): Generator<PlannedStep> {
    return devicePlan(device, this.contextOf(device));
  }

  /** Everything every device does, merged in virtual-time order (ties: device order). Lazy; each call starts afresh. */
  *steps(): Generator<PlannedStep> {
    const heap = new StepHeap();
    const sources = this.devices.map((d) => this.deviceSteps(d));
    sources.forEach((source) => {
      const first = source.next();
      if (!first.done) heap.push(first.value);
    });
    while (heap.size) {
      const step = heap.pop();
      yield step;
      const next = sources[step.device].next();
      if (!next.done) heap.push(next.value);
    }
  }
}

/** Local midnight `days` days before the local date of `now`: a default start whose run ends before now. */
export function defaultStart(timeZone: string, durationMs: number, now = Date.now()): number {
  const clock = new LocalClock(timeZone);
  return clock.fromLocal(clock.local(now).day - Math.ceil(durationMs / DAY_MS), 0);
}

/** A binary min-heap of steps by (ts, device). */
class StepHeap {
  private readonly items: PlannedStep[] = [];

  get size(): number {
    return this.items.length;
  }

  push(step: PlannedStep): void {
    const a = this.items;
    a.push(step);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(a[i], a[parent])) break;
      [a[i], a[parent]] = [a[parent], a[i]];
      i = parent;
    }
  }

  pop(): PlannedStep {
    const a = this.items;
    const top = a[0];
    const last = a.pop()!;
    if (a.length) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && before(a[l], a[m])) m = l;
        if (r < a.length && before(a[r], a[m])) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
}

function before(a: PlannedStep, b: PlannedStep): boolean {
  return a.ts < b.ts || (a.ts === b.ts && a.device < b.device);
}
