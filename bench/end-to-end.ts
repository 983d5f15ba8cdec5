import { InfluxConnection } from '#storage';
import { PROBE_DEVICES } from './load/bench-devices.js';
import type { PublisherSummary } from './load/publisher.js';
import { runPublisher, settle } from './load/publisher-process.js';
import { MqttCounter } from './mqtt-counter.js';
import { type BenchPipeline, SERVICE_PASSWORD, SERVICE_USER } from './pipeline.js';
import { type ProcessUsage, ProcessSampler, round } from './proc-stats.js';

/**
 * One measured step of the pipeline: the publisher at a rate for a while, into a community of
 * its own; then everything is counted where it ends up, not estimated:
 *  - stored: the community's points in InfluxDB (count of `seq` over every measurement), polled
 *    until it reaches what the broker acknowledged or stops growing; loss = acknowledged − stored;
 *  - publish -> stored: the probe devices' points (1 reading in 20) are looked for every POLL_MS
 *    as they land; a point's time is its publish wall time, so latency = when it was first seen −
 *    its time (resolution: the poll interval plus one query);
 *  - publish -> alert: every gas reading makes gas.leak raise or clear (load/bench-devices.ts);
 *    the alerts published on gc/{community}/alerts are counted, latency = received − alert `at`
 *    (the triggering reading's publish time). Alerts received / gas readings published is how
 *    much of the stream the rules judged.
 */
const POLL_MS = 25;
const MEASUREMENTS = ['noise', 'waste_bin', 'ev_charger', 'water_meter', 'gas_meter', 'access_gate'];

export interface StepResult {
  label: string;
  communityId: string;
  targetRate: number | 'max';
  durationS: number;
  publisher: PublisherSummary;
  /** Sent (and, with no errors, acknowledged) per second of the measured phase. */
  publishedPerSecond: number;
  stored: number;
  lost: number;
  /** Stored readings / (last one stored − first publish); includes the short tail (publisher.ts). */
  storedPerSecond: number;
  storedLatencyMs: Percentiles;
  /**
   * `late`: readings of the step the rules did not judge because they came more than
   * RULES_LATENESS_S behind their community's newest (greenwatch_rules_late_total); the gas
   * readings among them are why `received` can fall short of `expected`.
   */
  alerts: { expected: number; received: number; late: number; perSecond: number; latencyMs: Percentiles };
  ingestMetrics: Record<string, number>;
  /** Event-loop delay of broker, ingest and rules over the step (their /metrics), ms. */
  eventLoopMs: Record<string, { p99: number; max: number }>;
  processes: Record<string, ProcessUsage>;
}

export interface Percentiles {
  samples: number;
  p50: number;
  p99: number;
  max: number;
}

export class EndToEndBench {
  private readonly influx: InfluxConnection;
  private alertsOf = new Map<string, { count: number; lastAt: number; latencies: number[] }>();

  private constructor(
    private readonly pipeline: BenchPipeline,
    private readonly alertCounter: MqttCounter,
    influxUrl: string,
    database: string,
    private readonly options: { devices: number; connections: number; window: number; logDir: string; latenessS: number },
  ) {
    this.influx = new InfluxConnection({ url: influxUrl, api: 'v1', database });
  }

  static async open(pipeline: BenchPipeline, influxUrl: string, database: string, options: { devices: number; connections: number; window: number; logDir: string; latenessS: number }): Promise<EndToEndBench> {
    let bench: EndToEndBench | undefined;
    const counter = await MqttCounter.open({
      url: pipeline.mqttUrl,
      topic: 'gc/+/alerts',
      clientId: 'bench-alerts',
      clean: true,
      username: SERVICE_USER,
      password: SERVICE_PASSWORD,
      onMessage: (_topic, payload, at) => bench?.onAlert(payload, at),
    });
    bench = new EndToEndBench(pipeline, counter, influxUrl, database, options);
    return bench;
  }

  async step(label: string, communityId: string, rate: number | 'max', durationS: number, pids: Map<string, number>): Promise<StepResult> {
    const alerts = { count: 0, lastAt: 0, latencies: [] as number[] };
    this.alertsOf.set(communityId, alerts);
    const lateBefore = await this.rulesLate();
    await this.pipeline.eventLoopDelay(); // starts the apps' delay histograms afresh
    const sampler = new ProcessSampler(new Map(pids)).start();
    const probe = this.startProbe(communityId);
    const publisher = await runPublisher(
      { url: this.pipeline.mqttUrl, communityId, devices: this.options.devices, rate: rate === 'max' ? 0 : rate, durationS, connections: this.options.connections, window: this.options.window, tailS: this.options.latenessS + 0.5 },
      this.options.logDir,
      (pid) => sampler.add('publisher', pid),
    );
    const stored = await settle(() => this.countStored(communityId), publisher.acknowledged, { stallMs: 8000, timeoutMs: 150_000, intervalMs: 200 });
    await settle(() => alerts.count, publisher.gasReadings, { stallMs: 3000, timeoutMs: 30_000, intervalMs: 50 });
    const storedLatencies = await probe.stop();
    const eventLoopMs = await this.pipeline.eventLoopDelay();
    const processes = sampler.stop();
    processes.publisher = { cpuSeconds: publisher.cpuSeconds, peakRssMiB: publisher.peakRssMiB };
    return {
      label,
      communityId,
      targetRate: rate,
      durationS,
      publisher,
      publishedPerSecond: round(publisher.measuredSent / ((publisher.publishedUntil - publisher.startedAt) / 1000), 0),
      stored: stored.count,
      lost: Math.max(0, publisher.acknowledged - stored.count),
      storedPerSecond: round(stored.count / ((stored.at - publisher.startedAt) / 1000), 0),
      storedLatencyMs: percentiles(storedLatencies),
      alerts: { expected: publisher.gasReadings, received: alerts.count, late: (await this.rulesLate()) - lateBefore, perSecond: alerts.lastAt ? round(alerts.count / ((alerts.lastAt - publisher.startedAt) / 1000), 1) : 0, latencyMs: percentiles(alerts.latencies) },
      ingestMetrics: await this.pipeline.metrics('ingest').catch(() => ({})),
      eventLoopMs,
      processes,
    };
  }

  async close(): Promise<void> {
    await this.alertCounter.close();
  }

  private async rulesLate(): Promise<number> {
    return (await this.pipeline.metrics('rules').catch((): Record<string, number> => ({}))).greenwatch_rules_late_total ?? 0;
  }

  private onAlert(payload: Buffer, at: number): void {
    try {
      const alert = JSON.parse(payload.toString()) as { rule?: string; communityId?: string; at?: number };
      const mine = alert.communityId ? this.alertsOf.get(alert.communityId) : undefined;
      if (!mine || alert.rule !== 'gas.leak' || typeof alert.at !== 'number') return;
      mine.count++;
      mine.lastAt = at;
      mine.latencies.push(at - alert.at);
    } catch {
      // not an alert of ours
    }
  }

  private async countStored(communityId: string): Promise<number> {
    const series = await this.influx.query(`SELECT count("seq") FROM ${MEASUREMENTS.map((m) => `"${m}"`).join(',')} WHERE "community"='${communityId}'`);
    return series.reduce((n, s) => n + Number(s.values[0]?.[1] ?? 0), 0);
  }

  /** Polls for the probe devices' new points until stopped (a bounded loop: stop() ends it). */
  private startProbe(communityId: string): { stop(): Promise<number[]> } {
    const latencies: number[] = [];
    let after = Date.now() - 1;
    let running = true;
    const query = () => `SELECT "seq" FROM "noise" WHERE "community"='${communityId}' AND "device" =~ ${PROBE_DEVICES} AND time > ${after}ms`;
    const loop = (async () => {
      while (running) {
        try {
          const [series] = await this.influx.query(query());
          const seenAt = Date.now();
          for (const [time] of series?.values ?? []) {
            const ts = Number(time);
            latencies.push(seenAt - ts);
            if (ts > after) after = ts;
          }
        } catch {
          // InfluxDB busy: try again next round
        }
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    })();
    return {
      async stop() {
        running = false;
        await loop;
        return latencies;
      },
    };
  }
}

export function percentiles(values: number[]): Percentiles {
  if (!values.length) return { samples: 0, p50: 0, p99: 0, max: 0 };
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]);
  return { samples: values.length, p50: at(0.5), p99: at(0.99), max: Math.round(sorted[sorted.length - 1]) };
}
