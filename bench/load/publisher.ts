import { PublishingConnection } from '#sim';
import { benchDevices, gasReadingsOf, nextReading } from './bench-devices.js';

/**
 * The benchmark's publisher, run as its own process so that its CPU is its own and the same
 * publisher drives the bare broker and the pipeline. It is the simulator's load mode
 * (devices-sim/src/load/load-generator.ts: the same PublishingConnection, the same pacing in
 * 10 ms ticks, a bounded window of unacknowledged QoS 1 publishes per connection) with the
 * benchmark's payloads (./bench-devices.ts). `rate: 0` sends as fast as the windows allow.
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

const TICK_MS = 10;

export async function publish(options: PublisherOptions): Promise<PublisherSummary> {
  const devices = benchDevices(options.communityId, options.devices);
  const connections = await Promise.all(
    Array.from({ length: options.connections }, (_, i) =>
      PublishingConnection.open({ url: options.url, clientId: `bench-pub-${process.pid}-${i}`, username: options.username, password: options.password, qos: 1, window: options.window, recordLatency: true }),
    ),
  );
  let sent = 0;
  let bytes = 0;
  let next = 0;
  const startedAt = Date.now();
  const endAt = startedAt + options.durationS * 1000;
  for (let now = startedAt; now < endAt; now = Date.now()) {
    let due = options.rate > 0 ? Math.floor((options.rate * (now - startedAt)) / 1000) - sent : Number.MAX_SAFE_INTEGER;
    let full = 0;
    while (due > 0 && full < connections.length) {
      const connection = connections[next++ % connections.length];
      if (!connection.hasRoom) {
        full++;
        continue;
      }
      full = 0;
      const payload = nextReading(devices[sent % devices.length], Date.now());
      bytes += payload.length;
      connection.publish(devices[sent % devices.length].topic, payload);
      sent++;
      due--;
    }
    await new Promise((resolve) => setTimeout(resolve, TICK_MS));
  }
  const publishedUntil = Date.now();
  const measuredSent = sent;
  const tailDevice = devices[1]; // a noise meter, not a probe's concern: it only moves the clock
  for (const tailEnd = Date.now() + (options.tailS ?? 0) * 1000; Date.now() < tailEnd; ) {
    const payload = nextReading(tailDevice, Date.now());
    await connections[0].room();
    connections[0].publish(tailDevice.topic, payload);
    sent++;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await Promise.all(connections.map((c) => c.drain()));
  const acknowledgedAt = Date.now();
  await Promise.allSettled(connections.map((c) => c.close()));
  const acknowledged = connections.reduce((n, c) => n + c.stats.acknowledged, 0);
  const errors = connections.reduce((n, c) => n + c.stats.errors, 0);
  const latencies = Float64Array.from(connections.flatMap((c) => c.latencies)).sort();
  const at = (q: number) => (latencies.length ? Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] * 10) / 10 : 0);
  const summary: PublisherSummary = {
    sent,
    measuredSent,
    acknowledged,
    errors,
    // With no errors every sent reading was acknowledged; gas readings are counted on what was sent.
    gasReadings: gasReadingsOf(measuredSent, options.devices),
    payloadBytes: measuredSent ? Math.round(bytes / measuredSent) : 0,
    startedAt,
    publishedUntil,
    acknowledgedAt,
    ackLatencyMs: { p50: at(0.5), p99: at(0.99) },
    cpuSeconds: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1e4) / 100,
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 102.4) / 10,
  };
  const lastError = connections.find((c) => c.stats.lastError)?.stats.lastError;
  if (lastError) summary.lastError = lastError;
  return summary;
}

if (process.argv[1]?.endsWith('publisher.js') && process.argv[2]) {
  const summary = await publish(JSON.parse(process.argv[2]) as PublisherOptions);
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}
