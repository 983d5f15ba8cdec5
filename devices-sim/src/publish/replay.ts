import type { PlannedDevice } from '../plan/device-plan.js';
import { LAST_WILL_PAYLOAD } from '../plan/device-plan.js';
import type { ScenarioRun } from '../plan/scenario-run.js';
import { type ConnectionStats, PublishingConnection } from './publishing-connection.js';
import type { DeviceCredentials } from './provision.js';

/** Wall-clock time for pacing, injectable so that pacing is testable without waiting. */
export interface WallClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: WallClock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface ReplayOptions {
  url: string;
  /** Virtual seconds per wall second, or 'max': as fast as each connection's QoS 1 window allows. */
  speed: number | 'max';
  qos: 0 | 1;
  credentials: DeviceCredentials;
  /** Unacknowledged publishes per device connection (default 32). */
  window?: number;
  clock?: WallClock;
  /** Called about four times a second. */
  onProgress?: (progress: ReplayProgress) => void;
  /** Connections opened at once while starting (default 32). */
  connectConcurrency?: number;
  /**
   * Virtual time by which the next publish may run ahead of the oldest one not yet acknowledged,
   * over all connections (default 60 s). See `replay`.
   */
  maxSkewMs?: number;
  /**
   * Asked before each step (tests: hold the devices while a consumer restarts). When it returns a
   * promise, the replay waits until the broker has acknowledged everything sent, tells `onPaused`,
   * and goes on once the promise resolves.
   */
  pause?: () => Promise<void> | undefined;
  onPaused?: () => void;
}

/** Default bound of virtual-time skew between connections: half the rules' default lateness (2 minutes). */
export const DEFAULT_MAX_SKEW_MS = 60_000;

export interface ReplayProgress {
  virtualTs: number;
  published: number;
  acknowledged: number;
  errors: number;
  wallMs: number;
}

export interface ReplayResult extends ReplayProgress {
  /** Messages published per device id (each carries a seq, so each is one stored point). */
  perDevice: Map<string, number>;
  /** Connections dropped on purpose (gate_offline): each made the broker publish a last will. */
  drops: number;
  lastError?: string;
}

/**
 * Replays a planned run against a broker: every device on its own connection with its own
 * credentials and last will, messages in virtual-time order, paced by `speed`.
 *
 * Sending in virtual-time order is not arriving in it: each connection has its own window of
 * unacknowledged publishes, and the broker reads the sockets in whatever order they are ready. At
 * `max`, a few milliseconds of wall time between two sockets are many minutes of virtual time (a
 * window of 32 one-minute readings is half an hour), so a consumer that orders by event time within
 * a bounded lateness (the rules: 2 minutes) would take an on-time device for a silent one and drop
 * its readings as late. So the replay never publishes a message more than `maxSkewMs` of virtual
 * time after the oldest publish still unacknowledged on any connection: what the broker has at any
 * moment spans at most that much event time, as it does live.
 */
export async function replay(run: ScenarioRun, options: ReplayOptions): Promise<ReplayResult> {
  const clock = options.clock ?? systemClock;
  const window = options.window ?? 32;
  const maxSkewMs = options.maxSkewMs ?? DEFAULT_MAX_SKEW_MS;
  const connections: (PublishingConnection | undefined)[] = new Array(run.devices.length);
  const retired: ConnectionStats[] = [];
  const open = (d: PlannedDevice) =>
    PublishingConnection.open({ url: options.url, clientId: `sim-${d.communityId}-${d.deviceId}`, ...options.credentials(d), will: { topic: d.topics.status, payload: LAST_WILL_PAYLOAD }, qos: options.qos, window });
  try {
    await inBatches(run.devices, options.connectConcurrency ?? 32, async (d) => {
      connections[d.index] = await open(d);
    });
  } catch (error) {
    await Promise.allSettled(connections.map((c) => c?.kill()));
    throw error;
  }

  // A lower bound of the oldest pending publish's virtual time over all connections, recomputed
  // only when a publish would run past it. It stays a lower bound: acknowledgements only raise the
  // true value, and what is published from now on is no older than the step that recomputed it.
  let oldestPending = -Infinity;
  const oldestNow = () => connections.reduce((m, c) => (c ? Math.min(m, c.oldestPendingTs) : m), Infinity);
  const withinSkew = async (ts: number) => {
    if (ts - maxSkewMs <= oldestPending) return;
    for (;;) {
      oldestPending = Math.min(oldestNow(), ts);
      if (ts - maxSkewMs <= oldestPending) return;
      await Promise.race(connections.filter((c): c is PublishingConnection => c !== undefined && c.oldestPendingTs < ts - maxSkewMs).map((c) => c.nextAck()));
    }
  };
  const perDevice = new Array<number>(run.devices.length).fill(0);
  const started = clock.now();
  let published = 0;
  let drops = 0;
  let virtualTs = run.start;
  let nextProgress = started + 250;
  const stats = (): ReplayProgress => {
    const all = [...retired, ...connections.filter((c) => c !== undefined).map((c) => c.stats)];
    return { virtualTs, published, acknowledged: all.reduce((a, s) => a + s.acknowledged, 0), errors: all.reduce((a, s) => a + s.errors, 0), wallMs: clock.now() - started };
  };
  try {
    for (const step of run.steps()) {
      const paused = options.pause?.();
      if (paused) {
        await Promise.all(connections.map((c) => c?.drain()));
        options.onPaused?.();
        await paused;
      }
      virtualTs = step.ts;
      if (options.speed !== 'max') {
        const wait = started + (step.ts - run.start) / options.speed - clock.now();
        if (wait > 2) await clock.sleep(wait);
      }
      const connection = connections[step.device];
      if (step.kind === 'publish') {
        if (!connection) throw new Error(`device ${run.devices[step.device].deviceId} has no connection`);
        await withinSkew(step.ts);
        if (!connection.hasRoom) await connection.room();
        connection.publish(step.topic, step.payload, step.retain, options.qos, step.ts);
        perDevice[step.device]++;
        published++;
        if ((published & 255) === 0 && options.onProgress && clock.now() >= nextProgress) {
          nextProgress = clock.now() + 250;
          options.onProgress(stats());
        }
      } else if (step.kind === 'drop' && connection) {
        // Everything the device sent before losing its network arrives; then the socket dies.
        await connection.drain();
        await connection.kill();
        retired.push(connection.stats);
        connections[step.device] = undefined;
        drops++;
      } else if (step.kind === 'reconnect') {
        connections[step.device] = await open(run.devices[step.device]);
      }
    }
    await Promise.all(connections.map((c) => c?.drain()));
  } finally {
    await Promise.allSettled(connections.map((c) => c?.close()));
  }
  const final = stats();
  options.onProgress?.(final);
  const lastError = [...retired, ...connections.map((c) => c?.stats)].find((s) => s?.lastError)?.lastError;
  return { ...final, perDevice: new Map(run.devices.map((d) => [d.deviceId, perDevice[d.index]])), drops, ...(lastError ? { lastError } : {}) };
}

async function inBatches<T>(items: readonly T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}
