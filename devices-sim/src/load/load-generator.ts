import { DEVICE_TYPES, type DeviceType, deviceTopic } from '#contracts';
import { Prng } from '../prng.js';
import { PublishingConnection } from '../publish/publishing-connection.js';
import { type WallClock, systemClock } from '../publish/replay.js';

/**
 * Load mode, for benchmarks: many devices over few connections at a steady rate. Connections
 * carry many devices' topics, so they log in with one account (MQTT_USERNAME, or anonymously);
 * device accounts may publish only under their own topic tree. Payloads are valid telemetry
 * stamped with the wall clock, so an ingest behind the broker stores every one of them.
 */
export interface LoadOptions {
  url: string;
  devices: number;
  /** Messages per second, all devices together. */
  rate: number;
  durationS: number;
  qos: 0 | 1;
  connections: number;
  username?: string;
  password?: string;
  communityId?: string;
  /** Unacknowledged publishes per connection (default 256). */
  window?: number;
  seed?: string | number;
  clock?: WallClock;
  onProgress?: (p: LoadProgress) => void;
}

export interface LoadProgress {
  elapsedS: number;
  sent: number;
  acknowledged: number;
  errors: number;
  /** Messages that were due but waited because every window was full. */
  behind: number;
}

export interface LoadSummary extends LoadProgress {
  targetRate: number;
  /** Acknowledged messages per second of the run (sending and draining). */
  achievedRate: number;
  /** Acknowledgement latency in ms (QoS 1: PUBACK; QoS 0: written to the socket). */
  latencyMs: { p50: number; p99: number; max: number };
  lastError?: string;
}

const TICK_MS = 10;

export async function runLoad(options: LoadOptions): Promise<LoadSummary> {
  const clock = options.clock ?? systemClock;
  const communityId = options.communityId ?? 'load';
  const rng = new Prng(options.seed ?? 'load');
  const devices = Array.from({ length: options.devices }, (_, i) => {
    const deviceType = DEVICE_TYPES[i % DEVICE_TYPES.length];
    const deviceId = `load-${String(i).padStart(6, '0')}`;
    return { deviceType, topic: deviceTopic({ communityId, deviceType, deviceId }, 'telemetry'), seq: 0 };
  });
  const connections = await Promise.all(
    Array.from({ length: options.connections }, (_, i) =>
      PublishingConnection.open({ url: options.url, clientId: `sim-load-${process.pid}-${i}`, username: options.username, password: options.password, qos: options.qos, window: options.window ?? 256, recordLatency: true }),
    ),
  );
  let sent = 0;
  let behind = 0;
  let next = 0;
  const started = clock.now();
  const progress = (): LoadProgress => ({
    elapsedS: (clock.now() - started) / 1000,
    sent,
    acknowledged: connections.reduce((a, c) => a + c.stats.acknowledged, 0),
    errors: connections.reduce((a, c) => a + c.stats.errors, 0),
    behind,
  });
  let nextProgress = started + 500;
  try {
    for (;;) {
      const elapsed = clock.now() - started;
      if (elapsed >= options.durationS * 1000) break;
      let due = Math.floor((options.rate * elapsed) / 1000) - sent;
      let full = 0;
      while (due > 0 && full < connections.length) {
        const connection = connections[next++ % connections.length];
        if (!connection.hasRoom) {
          full++;
          continue;
        }
        full = 0;
        const device = devices[sent % devices.length];
        connection.publish(device.topic, JSON.stringify({ ts: Date.now(), seq: device.seq++, ...sample(device.deviceType, rng) }));
        sent++;
        due--;
      }
      behind = Math.max(0, Math.floor((options.rate * (clock.now() - started)) / 1000) - sent);
      if (options.onProgress && clock.now() >= nextProgress) {
        nextProgress = clock.now() + 500;
        options.onProgress(progress());
      }
      await clock.sleep(TICK_MS);
    }
    await Promise.all(connections.map((c) => c.drain()));
  } finally {
    await Promise.allSettled(connections.map((c) => c.close()));
  }
  const final = progress();
  options.onProgress?.(final);
  const lastError = connections.find((c) => c.stats.lastError)?.stats.lastError;
  const summary: LoadSummary = { ...final, targetRate: options.rate, achievedRate: final.acknowledged / final.elapsedS, latencyMs: percentiles(connections.flatMap((c) => c.latencies)) };
  if (lastError) summary.lastError = lastError;
  return summary;
}

/** A plausible telemetry body per type (values vary; the load is about volume, not realism). */
function sample(type: DeviceType, rng: Prng): Record<string, number | string | boolean> {
  switch (type) {
    case 'noise':
      return { laeq: Math.round(rng.uniform(40, 60) * 10) / 10, lmax: Math.round(rng.uniform(60, 75) * 10) / 10 };
    case 'waste_bin':
      return { fillPct: Math.round(rng.uniform(0, 75)), category: 'other', tempC: 25 };
    case 'ev_charger':
      return { state: 'charging', powerKw: 7, energyKwh: Math.round(rng.uniform(100, 9000)), tempC: 40 };
    case 'water_meter':
      return { totalM3: Math.round(rng.uniform(10, 900) * 1000) / 1000, flowLpm: 0 };
    case 'gas_meter':
      return { totalM3: Math.round(rng.uniform(10, 900) * 1000) / 1000, methaneLel: 0.2, valve: 'open' };
    case 'access_gate':
      return { doorClosed: true, gateOnline: true };
  }
}

function percentiles(values: number[]): { p50: number; p99: number; max: number } {
  if (!values.length) return { p50: 0, p99: 0, max: 0 };
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 100) / 100;
  return { p50: at(0.5), p99: at(0.99), max: Math.round(sorted[sorted.length - 1] * 100) / 100 };
}
