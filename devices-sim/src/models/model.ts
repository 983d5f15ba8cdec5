import type { CommunityConfig, DeviceConfig } from '#contracts';
import type { LocalClock } from '../local-time.js';
import type { Prng } from '../prng.js';
import type { IncidentKind } from '../scenario/incident-kinds.js';

/** One incident on this device, resolved to absolute virtual time. */
export interface DeviceIncident {
  kind: IncidentKind;
  start: number;
  end: number;
  params: Record<string, unknown>;
}

/** Everything a device model may depend on: no wall clock, no Math.random, no I/O. */
export interface ModelContext {
  community: CommunityConfig;
  device: DeviceConfig;
  clock: LocalClock;
  /** The device's own random stream. */
  rng: Prng;
  /** Virtual time span of the run, [start, end), epoch ms. */
  start: number;
  end: number;
  /** Reporting interval of periodic telemetry. */
  intervalMs: number;
  incidents: DeviceIncident[];
}

/** A telemetry or event body without ts and seq (the device envelope adds them). */
export interface Emission {
  ts: number;
  channel: 'telemetry' | 'event';
  body: Record<string, string | number | boolean>;
}

/** A device model yields its emissions in non-decreasing ts order, lazily (a month need not fit in memory). */
export type DeviceModel = (ctx: ModelContext) => Iterable<Emission>;

/** Instants of periodic telemetry: a per-device phase, then every interval, within [start, end). */
export function* ticks(ctx: ModelContext, phaseMs: number): Generator<number> {
  for (let t = ctx.start + phaseMs; t < ctx.end; t += ctx.intervalMs) yield t;
}

/** A phase in whole seconds within one interval, so devices do not all report at the same instant. */
export function phaseOf(ctx: ModelContext): number {
  return ctx.rng.int(Math.max(1, Math.floor(ctx.intervalMs / 1000))) * 1000;
}

export function activeIncident(ctx: ModelContext, kind: IncidentKind, t: number): DeviceIncident | undefined {
  return ctx.incidents.find((i) => i.kind === kind && t >= i.start && t < i.end);
}

export function incidentsOf(ctx: ModelContext, kind: IncidentKind): DeviceIncident[] {
  return ctx.incidents.filter((i) => i.kind === kind);
}

/** Default reporting intervals when a device's configuration sets no intervalS. */
export const DEFAULT_INTERVAL_S = 60;

/** Sorts a small batch of emissions by ts; a stable sort keeps same-instant order deterministic. */
export function byTime(a: Emission, b: Emission): number {
  return a.ts - b.ts;
}
