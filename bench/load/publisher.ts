import { runLoad } from '#sim';
import { benchMessages } from './bench-devices.js';

/**
 * The benchmark's publisher, run as its own process so that its CPU is its own and the same
 * publisher drives the bare broker and the pipeline. It is the simulator's load mode, `runLoad`
 * (devices-sim/src/load/load-generator.ts: its pacing in 10 ms ticks, a bounded window of
 * unacknowledged QoS 1 publishes per connection, its optional tail) with the benchmark's devices
 * through the load mode's `message` hook (./bench-devices.ts). This file only maps options and
 * adds what belongs to the process (CPU, RSS). `rate: 0` sends as fast as the windows allow.
 *
 *   node dist/bench/load/publisher.js '{"url":"mqtt://127.0.0.1:1883","communityId":"s1",...}'
 * prints one JSON line, a PublisherSummary.
 */
export interface PublisherOptions {
  url: string;
  communityId: string;
  devices: number;
  /** Readings per second, all devices together; 0 = as fast as the windows allow. */
  rate: number;
  durationS: number;
  connections: number;
  window: number;
  username?: string;
  password?: string;
  /**
   * After the measured phase, one non-gas reading every 50 ms for this long: the rules judge a
   * reading once its community's event-time clock is RULES_LATENESS_S past it, so without newer
   * readings the last ones of a step would wait forever.
   */
  tailS?: number;
}

export interface PublisherSummary {
  sent: number;
  /** Sent in the measured phase (before the tail). */
  measuredSent: number;
  acknowledged: number;
  errors: number;
  lastError?: string;
  /** Of the acknowledged readings, those of the gas meters (each one an alert transition). */
  gasReadings: number;
  payloadBytes: number;
  /** Wall clock (epoch ms): first publish, last publish, last acknowledgement. */
  startedAt: number;
  publishedUntil: number;
  acknowledgedAt: number;
  /** Publish -> PUBACK in ms. */
  ackLatencyMs: { p50: number; p99: number };
  /** This process's own CPU seconds and peak RSS (it exits before a sampler could look). */
  cpuSeconds: number;
  peakRssMiB: number;
}

/** The tail's device: d000001, a noise meter (no alerts), so the tail only moves the rules' clock. */
const TAIL_DEVICE = 1;
const TAIL_INTERVAL_MS = 50;

export async function publish(options: PublisherOptions): Promise<PublisherSummary> {
  const load = await runLoad({
    url: options.url,
    devices: options.devices,
    rate: options.rate,
    durationS: options.durationS,
    qos: 1,
    connections: options.connections,
    window: options.window,
    username: options.username,
    password: options.password,
    message: benchMessages(options.communityId, options.devices),
    ...(options.tailS ? { tail: { durationS: options.tailS, intervalMs: TAIL_INTERVAL_MS, device: TAIL_DEVICE } } : {}),
  });
  const cpu = process.cpuUsage();
  const summary: PublisherSummary = {
    sent: load.sent,
    measuredSent: load.measuredSent,
    acknowledged: load.acknowledged,
    errors: load.errors,
    // With no errors every sent reading was acknowledged; the tail sends no gas readings.
    gasReadings: load.sentByKind.gas_meter ?? 0,
    payloadBytes: load.payloadBytes,
    startedAt: load.startedAt,
    publishedUntil: load.publishedUntil,
    acknowledgedAt: load.acknowledgedAt,
    ackLatencyMs: { p50: load.latencyMs.p50, p99: load.latencyMs.p99 },
    cpuSeconds: Math.round((cpu.user + cpu.system) / 1e4) / 100,
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 102.4) / 10,
  };
  if (load.lastError) summary.lastError = load.lastError;
  return summary;
}

if (process.argv[1]?.endsWith('publisher.js') && process.argv[2]) {
  const summary = await publish(JSON.parse(process.argv[2]) as PublisherOptions);
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}
