import type { INestApplication } from '@nestjs/common';
import { type MqttClient, connectAsync } from 'mqtt';
import { type Alert, type RuleId, SEVERITIES, criterionOf, isRuleId } from '#contracts';
import type { MetricsRegistry } from '#observability';
import type { RulesEngine } from '#rules';
import { type ReplayResult, type ScenarioRun, provisionDevices, replay } from '#sim';
import type { InfluxConnection } from '#storage';
import { RULES_ENGINE, RULES_METRICS, type RulesOptions } from '../../apps/rules/src/rules.service.js';
import { startRules } from '../../apps/rules/src/start.js';
import { readPoints } from './influx-points.js';
import { SERVICE_PASSWORD, SERVICE_USER, type TestPipeline } from './pipeline.js';
import { waitFor } from './wait.js';

/**
 * The rules app in this process against a TestPipeline (real aedes, real ingest, real InfluxDB),
 * plus a listener on gc/+/alerts: what the end-to-end scenario tests drive and observe.
 */
export class RulesUnderTest {
  app: INestApplication | undefined;
  /** Every alert published on gc/{c}/alerts, parsed, in arrival order. */
  readonly received: Alert[] = [];
  /** Alerts published by instances already stopped, and messages they took in. */
  private emittedBefore = 0;
  private inBefore = 0;

  private constructor(
    readonly pipeline: TestPipeline,
    /** Over the pipeline's `config.rules`. */
    readonly options: Partial<RulesOptions>,
    private readonly listener: MqttClient,
  ) {}

  static async start(pipeline: TestPipeline, options: Partial<RulesOptions> = {}): Promise<RulesUnderTest> {
    const listener = await connectAsync(pipeline.mqttUrl, { clientId: `alert-listener-${process.pid}-${Math.random().toString(36).slice(2, 8)}`, username: SERVICE_USER, password: SERVICE_PASSWORD, reconnectPeriod: 0 });
    const rules = new RulesUnderTest(pipeline, { clientId: 'greenwatch-rules-scen', latenessMs: 120_000, snapshotIntervalMs: 3_600_000, ...options }, listener);
    listener.on('message', (_topic, payload) => rules.received.push(JSON.parse(payload.toString()) as Alert));
    await listener.subscribeAsync('gc/+/alerts', { qos: 1 });
    await rules.startApp();
    return rules;
  }

  async startApp(): Promise<void> {
    this.app = await startRules(this.pipeline.config, this.options);
  }

  /** A clean stop (SIGTERM-like: Nest's shutdown hooks save the snapshot). */
  async stopApp(): Promise<void> {
    if (!this.app) return;
    this.emittedBefore += this.emitted() - this.emittedBefore;
    this.inBefore += this.messagesIn() - this.inBefore;
    await this.app.close();
    this.app = undefined;
  }

  get engine(): RulesEngine {
    return this.app!.get<RulesEngine>(RULES_ENGINE);
  }

  /** Alert transitions the service has published so far (all instances). */
  emitted(): number {
    return this.app ? this.emittedBefore + sumOf(this.app.get<MetricsRegistry>(RULES_METRICS), 'greenwatch_rules_alerts_total') : this.emittedBefore;
  }

  /** Device messages the service has taken in so far (all instances). */
  messagesIn(): number {
    return this.app ? this.inBefore + sumOf(this.app.get<MetricsRegistry>(RULES_METRICS), 'greenwatch_rules_messages_in_total') : this.inBefore;
  }

  /** Waits until every alert the service published has come back on gc/+/alerts. */
  async settled(): Promise<void> {
    const got = await waitFor(async () => this.received.length, (n) => n >= this.emitted(), { timeoutMs: 20_000, intervalMs: 20 });
    if (got !== this.emitted()) throw new Error(`${got} alerts received on gc/+/alerts, ${this.emitted()} published`);
  }

  async stop(): Promise<void> {
    await this.app?.close();
    this.app = undefined;
    await this.listener.endAsync();
  }
}

function sumOf(metrics: MetricsRegistry, family: string): number {
  let total = 0;
  for (const line of metrics.render().split('\n')) if (line.startsWith(`${family}{`) || line.startsWith(`${family} `)) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  return total;
}

/**
 * The replay keeps what is in flight within 90 s of virtual time (devices-sim replay.ts): under the
 * rules' 2-minute lateness, so no on-time message is late and no on-time device looks silent.
 */
export const REPLAY_MAX_SKEW_MS = 90_000;

/**
 * Replays a run at max speed, every device with its own credentials, and waits until the rules
 * service has taken in every message of it (and the broker's last wills of dropped devices).
 * `hooks` see the replay's progress and may pause it (for a restart half-way).
 */
export async function replayThroughRules(
  rules: RulesUnderTest,
  run: ScenarioRun,
  hooks: { onProgress?: (virtualTs: number) => void; pause?: () => Promise<void> | undefined; onPaused?: () => void; pending?: () => Promise<void> | undefined } = {},
): Promise<ReplayResult> {
  const { onProgress, pending } = hooks;
  const before = rules.messagesIn();
  const credentials = await provisionDevices(run.devices, rules.pipeline.config.dataDir);
  const result = await replay(run, { url: rules.pipeline.mqttUrl, speed: 'max', qos: 1, credentials, maxSkewMs: REPLAY_MAX_SKEW_MS, onProgress: onProgress && ((p) => onProgress(p.virtualTs)), pause: hooks.pause, onPaused: hooks.onPaused });
  if (result.errors) throw new Error(`replay of ${run.scenario.name}: ${result.errors} errors, last ${result.lastError}`);
  await pending?.();
  const total = result.published + result.drops;
  await waitFor(async () => rules.messagesIn() - before, (n) => n >= total && rules.app !== undefined, { timeoutMs: 60_000, intervalMs: 20 });
  if (rules.messagesIn() - before < total) throw new Error(`the rules took in ${rules.messagesIn() - before} of ${total} messages of ${run.scenario.name}`);
  return result;
}

/** Contract problems of a published alert (contract.md, "Alerts"), empty when it conforms. */
export function alertContractProblems(a: Alert): string[] {
  const p: string[] = [];
  if (typeof a.alertId !== 'string' || !a.alertId) p.push('alertId');
  if (!isRuleId(a.rule)) p.push(`rule ${String(a.rule)}`);
  else if (a.criterion !== criterionOf(a.rule as RuleId, a.deviceType)) p.push(`criterion ${a.criterion}`);
  if (!(SEVERITIES as readonly string[]).includes(a.severity)) p.push(`severity ${a.severity}`);
  if (a.state !== 'raised' && a.state !== 'cleared') p.push(`state ${String(a.state)}`);
  if (typeof a.communityId !== 'string') p.push('communityId');
  if (a.rule !== 'waste.sorting_coverage' && (typeof a.deviceId !== 'string' || typeof a.deviceType !== 'string')) p.push('deviceId/deviceType');
  if (!Number.isInteger(a.at) || !Number.isInteger(a.raisedAt) || a.at < a.raisedAt) p.push(`at ${a.at} raisedAt ${a.raisedAt}`);
  if (typeof a.message?.zh !== 'string' || !a.message.zh || typeof a.message?.en !== 'string' || !a.message.en) p.push('message zh/en');
  if (typeof a.context !== 'object' || a.context === null) p.push('context');
  for (const k of ['value', 'threshold'] as const) if (a[k] !== undefined && typeof a[k] !== 'number') p.push(k);
  return p;
}

/** One line per alert transition, for comparing what was published with what was stored. */
export const transitionKey = (t: { state: unknown; rule: unknown; device: unknown; severity: unknown; alertId: unknown; time: unknown }) =>
  `${String(t.state)} ${String(t.rule)} ${String(t.device)} ${String(t.severity)} ${String(t.alertId)} ${String(t.time)}`;

export const publishedTransitions = (alerts: readonly Alert[]) =>
  alerts.map((a) => transitionKey({ state: a.state, rule: a.rule, device: a.deviceId ?? null, severity: a.severity, alertId: a.alertId, time: a.at })).sort();

/** The `alert` points of one community, as transition lines, once there are at least `count`. */
export async function storedTransitions(connection: InfluxConnection, communityId: string, count: number): Promise<string[]> {
  const rows = await waitFor(() => readPoints(connection, 'alert', `"community" = '${communityId}'`), (r) => r.length >= count, { timeoutMs: 20_000, intervalMs: 100 });
  return rows.map((r) => transitionKey({ state: r.state, rule: r.rule, device: r.device ?? null, severity: r.severity, alertId: r.alertId, time: r.time })).sort();
}
