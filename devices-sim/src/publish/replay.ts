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
}

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
 */
export async function replay(run: ScenarioRun, options: ReplayOptions): Promise<ReplayResult> {
  const clock = options.clock ?? systemClock;
  const window = options.window ?? 32;
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
      virtualTs = step.ts;
      if (options.speed !== 'max') {
        const wait = started + (step.ts - run.start) / options.speed - clock.now();
        if (wait > 2) await clock.sleep(wait);
      }
      const connection = connections[step.device];
      if (step.kind === 'publish') {
        if (!connection) throw new Error(`device ${run.devices[step.device].deviceId} has no connection`);
        if (!connection.hasRoom) await connection.room();
        connection.publish(step.topic, step.payload, step.retain);
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
