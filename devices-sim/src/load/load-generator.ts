import { DEVICE_TYPES, type DeviceType, deviceTopic } from '#contracts';
import { Prng } from '../prng.js';
import { PublishingConnection } from '../publish/publishing-connection.js';
import { type WallClock, systemClock } from '../publish/replay.js';

/**
 * Load mode, for benchmarks: many devices over few connections at a steady rate. Connections
 * carry many devices' topics, so they log in with one account (MQTT_USERNAME, or anonymously);
 * device accounts may publish only under their own topic tree. Payloads are valid telemetry
 * stamped with the wall clock, so an ingest behind the broker stores every one of them.
 *
 * Devices are sent round-robin (message n is device n mod `devices`). What a device publishes is
 * the `message` hook's choice; by default the six types in turn with plausible values
 * (`simulatedLoadMessages`). The benchmark (bench/load/) brings its own devices through the hook.
 */
export interface LoadOptions {
  url: string;
  devices: number;
  /** Messages per second, all devices together; 0 = as fast as the windows allow. */
  rate: number;
  /** Seconds of the measured phase (then the tail, if any; then the last acknowledgements). */
  durationS: number;
  qos: 0 | 1;
  connections: number;
  username?: string;
  password?: string;
  /** Unacknowledged publishes per connection (default 256). */
  window?: number;
  /** The devices' messages. Default: `simulatedLoadMessages({communityId, devices, seed})`. */
  message?: LoadMessageSource;
  /** Community id in the default devices' topics (default `load`). */
  communityId?: string;
  /** Seed of the default devices' values (default `load`). */
  seed?: string | number;
  /**
   * After the measured phase, one message of `device` every `intervalMs` for `durationS`, on the
   * first connection. A consumer that judges readings on event time within a lateness (the rules)
   * judges the measured phase's last readings only once newer ones arrive. Counted in `sent`, not
   * in `measuredSent`.
   */
  tail?: LoadTail;
  /** Paces the run (default: performance.now and setTimeout). Payload stamps are epoch ms (Date.now). */
  clock?: WallClock;
  onProgress?: (p: LoadProgress) => void;
}

/**
 * The `seq`-th message of device `device` (0 ≤ device < devices; seq counts that device's
 * messages from 0, tail included), published at `nowMs` (epoch ms). `kind`, when given, is
 * counted in `sentByKind` (the default devices give their type).
 */
export type LoadMessageSource = (device: number, seq: number, nowMs: number) => LoadMessage;

export interface LoadMessage {
  topic: string;
  payload: string | Buffer;
  kind?: string;
}

export interface LoadTail {
  durationS: number;
  intervalMs: number;
  device: number;
}

export interface LoadProgress {
  elapsedS: number;
  sent: number;
  acknowledged: number;
  errors: number;
  /** Messages that were due but waited because every window was full (0 when rate is 0). */
  behind: number;
}

export interface LoadSummary extends LoadProgress {
  /** Messages per second asked for; 0 = as fast as the windows allow. */
  targetRate: number;
  /** Acknowledged messages per second of the run (sending and draining). */
  achievedRate: number;
  /** Acknowledgement latency in ms (QoS 1: PUBACK; QoS 0: written to the socket). */
  latencyMs: { p50: number; p99: number; max: number };
  /** Sent in the measured phase, before the tail (`sent` when there is none). */
  measuredSent: number;
  /** Sent per message kind (LoadMessage.kind), tail included. */
  sentByKind: Record<string, number>;
  /** Mean payload size in bytes over the measured phase. */
  payloadBytes: number;
  /** Epoch ms: just before the first publish, at the end of the measured phase, after the last acknowledgement. */
  startedAt: number;
  publishedUntil: number;
  acknowledgedAt: number;
  lastError?: string;
}

const TICK_MS = 10;

export async function runLoad(options: LoadOptions): Promise<LoadSummary> {
  if (!(options.rate >= 0)) throw new RangeError(`load: rate must be ≥ 0 (0 = as fast as the windows allow), got ${options.rate}`);
  if (options.tail && !(Number.isInteger(options.tail.device) && options.tail.device >= 0 && options.tail.device < options.devices)) {
    throw new RangeError(`load: tail.device must be a device index below ${options.devices}, got ${options.tail.device}`);
  }
  const clock = options.clock ?? systemClock;
  const message = options.message ?? simulatedLoadMessages({ communityId: options.communityId ?? 'load', devices: options.devices, seed: options.seed ?? 'load' });
  const connections = await Promise.all(
    Array.from({ length: options.connections }, (_, i) =>
      PublishingConnection.open({ url: options.url, clientId: `sim-load-${process.pid}-${i}`, username: options.username, password: options.password, qos: options.qos, window: options.window ?? 256, recordLatency: true }),
    ),
  );
  const seqs = new Uint32Array(options.devices);
  const kinds = new Map<string, number>();
  let sent = 0;
  let behind = 0;
  let next = 0;
  let measuredBytes = 0;
  /** Publishes the next message of `device` on `connection`; returns its payload's size. */
  const send = (connection: PublishingConnection, device: number): number => {
    const m = message(device, seqs[device]++, Date.now());
    connection.publish(m.topic, m.payload);
    sent++;
    if (m.kind !== undefined) kinds.set(m.kind, (kinds.get(m.kind) ?? 0) + 1);
    return typeof m.payload === 'string' ? Buffer.byteLength(m.payload) : m.payload.length;
  };
  /** Messages due by `elapsedMs` into the measured phase (all of them at rate 0). */
  const dueBy = (elapsedMs: number) => (options.rate > 0 ? Math.floor((options.rate * elapsedMs) / 1000) : Number.POSITIVE_INFINITY);
  const started = clock.now();
  const startedAt = Date.now();
  const progress = (): LoadProgress => ({
    elapsedS: (clock.now() - started) / 1000,
    sent,
    acknowledged: connections.reduce((a, c) => a + c.stats.acknowledged, 0),
    errors: connections.reduce((a, c) => a + c.stats.errors, 0),
    behind,
  });
  let nextProgress = started + 500;
  const report = () => {
    if (options.onProgress && clock.now() >= nextProgress) {
      nextProgress = clock.now() + 500;
      options.onProgress(progress());
    }
  };
  let publishedUntil: number;
  let acknowledgedAt: number;
  let measuredSent: number;
  try {
    for (let elapsed = 0; elapsed < options.durationS * 1000; elapsed = clock.now() - started) {
      let due = dueBy(elapsed) - sent;
      let full = 0;
      while (due > 0 && full < connections.length) {
        const connection = connections[next++ % connections.length];
        if (!connection.hasRoom) {
          full++;
          continue;
        }
        full = 0;
        measuredBytes += send(connection, sent % options.devices);
        due--;
      }
      behind = options.rate > 0 ? Math.max(0, dueBy(clock.now() - started) - sent) : 0;
      report();
      await clock.sleep(TICK_MS);
    }
    publishedUntil = Date.now();
    measuredSent = sent;
    if (options.tail) {
      for (const end = clock.now() + options.tail.durationS * 1000; clock.now() < end; ) {
        await connections[0].room();
        send(connections[0], options.tail.device);
        report();
        await clock.sleep(options.tail.intervalMs);
      }
    }
    await Promise.all(connections.map((c) => c.drain()));
    acknowledgedAt = Date.now();
  } finally {
    await Promise.allSettled(connections.map((c) => c.close()));
  }
  const final = progress();
  options.onProgress?.(final);
  const summary: LoadSummary = {
    ...final,
    targetRate: options.rate,
    achievedRate: final.acknowledged / final.elapsedS,
    latencyMs: percentiles(connections.flatMap((c) => c.latencies)),
    measuredSent,
    sentByKind: Object.fromEntries(kinds),
    payloadBytes: measuredSent ? Math.round(measuredBytes / measuredSent) : 0,
    startedAt,
    publishedUntil,
    acknowledgedAt,
  };
  const lastError = connections.find((c) => c.stats.lastError)?.stats.lastError;
  if (lastError) summary.lastError = lastError;
  return summary;
}

/**
 * The load mode's own devices: device i is the (i mod 6)-th contract type, id `load-00000i`, and
 * publishes a plausible telemetry body of its type (values vary; the load is about volume, not
 * realism) stamped `ts` = publish time. Its kind is its type.
 */
export function simulatedLoadMessages(options: { communityId: string; devices: number; seed: string | number }): LoadMessageSource {
  const rng = new Prng(options.seed);
  const devices = Array.from({ length: options.devices }, (_, i) => {
    const deviceType = DEVICE_TYPES[i % DEVICE_TYPES.length];
    const deviceId = `load-${String(i).padStart(6, '0')}`;
    return { deviceType, topic: deviceTopic({ communityId: options.communityId, deviceType, deviceId }, 'telemetry') };
  });
  return (device, seq, nowMs) => {
    const { deviceType, topic } = devices[device];
    return { topic, payload: JSON.stringify({ ts: nowMs, seq, ...sample(deviceType, rng) }), kind: deviceType };
  };
}

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
