import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Subject, type Subscription } from 'rxjs';
import type { AppConfig } from '#config';
import { type Alert, type CommunityConfig, alertsTopic, parseAlertAck, validateDeviceMessage } from '#contracts';
import { type MetricsRegistry, RateLimitedLog } from '#observability';
import { type RuleInput, type RulesEngine, alertToLine, judge, latestAlertsQuery, storedAlertsFrom, assertRuleOverrides } from '#rules';
import { InfluxStore } from '#storage';
import { type ResumeBarrier, isOwnBarrier } from './resume-barrier.js';
import type { RuleStateStore } from './rule-state.store.js';

export const RULES_ENGINE = Symbol('RULES_ENGINE');
export const RULES_OPTIONS = Symbol('RULES_OPTIONS');
export const RULE_STATE_STORE = Symbol('RULE_STATE_STORE');
export const ALERT_PUBLISHER = Symbol('ALERT_PUBLISHER');
export const RULES_METRICS = Symbol('RULES_METRICS');
export const RESUME_BARRIER = Symbol('RESUME_BARRIER');

/** The rules' options: RULES_* (libs/config, `config.rules`). */
export type RulesOptions = AppConfig['rules'];

/** Publishes one alert JSON on a topic with QoS 1. */
export type AlertPublisher = (topic: string, payload: string) => Promise<void>;

/**
 * Device messages -> rules -> alerts on gc/{communityId}/alerts (QoS 1) and in the `alert`
 * measurement. The service validates messages itself (an invalid one is ingest's to report) and
 * feeds the engine through an RxJS pipeline; the engine is pure and holds all rule state.
 *
 * Restart (the engine's doc has the whole design): at start, load DATA_DIR/rules/state.json, then
 * reconcile the open alerts with the newest point of each key in `alert`; while running, save the
 * snapshot every RULES_SNAPSHOT_S seconds; at shutdown, which Nest runs after the MQTT session
 * has stopped taking messages, save it once more. The broker keeps what arrives meanwhile
 * (persistent session, QoS 1), so nothing acknowledged is lost and nothing open is raised twice.
 * Back up, the engine catches up (RulesEngine.beginCatchUp): it judges nothing until the resume
 * barrier has come through the backlog (resume-barrier.ts), since aedes delivers that backlog
 * after newer live messages; without a resumed session it judges at once, and it stops waiting
 * after RULES_CATCHUP_S.
 */
@Injectable()
export class RulesService implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  /** Set before the transport is disposed: from then on nothing is judged nor acknowledged (start.ts's AckGate). */
  stopping = false;
  private readonly logger = new Logger('Rules');
  private readonly problems = new RateLimitedLog((line) => this.logger.warn(line), { burst: 20, windowMs: 60_000 });
  private readonly inputs = new Subject<RuleInput>();
  private subscription: Subscription | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private catchUpTimer: ReturnType<typeof setTimeout> | undefined;
  private saving: Promise<void> = Promise.resolve();
  /** Clears decided at start, published once the MQTT session is up. */
  private pendingClears: Alert[] = [];
  /** When the newest snapshot save that worked ended (epoch ms), and how the latest attempt ended. */
  private lastSavedAt: number | undefined;
  private lastSaveAttempt: { ok: boolean; error?: string } | undefined;
  private readonly received;
  private readonly invalid;
  private readonly alerts;

  constructor(
    @Inject(RULES_ENGINE) private readonly engine: RulesEngine,
    @Inject(RULES_OPTIONS) private readonly options: RulesOptions,
    @Inject(RULE_STATE_STORE) private readonly state: RuleStateStore,
    @Inject(ALERT_PUBLISHER) private readonly publish: AlertPublisher,
    @Inject(RULES_METRICS) metrics: MetricsRegistry,
    @Inject(RESUME_BARRIER) private readonly barrier: ResumeBarrier,
    private readonly store: InfluxStore,
  ) {
    this.received = metrics.counter('greenwatch_rules_messages_in_total', 'Device messages received by the rules');
    this.invalid = metrics.counter('greenwatch_rules_invalid_total', 'Device messages the rules could not validate (ingest reports them)');
    this.alerts = metrics.counter('greenwatch_rules_alerts_total', 'Alert transitions published');
    metrics.gauge('greenwatch_rules_late_total', 'Messages later than the lateness, stored but not judged', () => engine.stats.late);
    metrics.gauge('greenwatch_rules_buffered', 'Messages waiting for their community watermark', () => engine.buffered);
    metrics.gauge('greenwatch_rules_open_alerts', 'Open alerts', () => engine.book.size);
    metrics.gauge('greenwatch_rules_configured_devices', 'Devices in the community configurations the rules hold (they follow COMMUNITY_CONFIG_DIR)', () => engine.configuredDevices);
  }

  async onModuleInit(): Promise<void> {
    const snapshot = await this.state.load();
    if (snapshot) this.engine.restore(snapshot);
    const stored = storedAlertsFrom(await this.store.connection.query(latestAlertsQuery()));
    const { reopened, closed } = this.engine.reconcile(stored);
    this.logger.log(`rule state: ${snapshot ? `snapshot ${this.state.path}` : 'no snapshot'}; ${this.engine.book.size} open alerts (${reopened} reopened and ${closed} closed from the alert measurement)`);
    // devices removed from the configuration while the service was down are not missed any more
    this.pendingClears = this.engine.forgetUnconfiguredSilence();
    this.engine.beginCatchUp();
    this.subscription = this.inputs.pipe(judge(this.engine)).subscribe({
      next: (alert) => this.emit(alert),
      error: (error: unknown) => this.logger.error(`rule pipeline failed: ${String(error)}`),
    });
    this.timer = setInterval(() => void this.save(), this.options.snapshotIntervalMs);
    this.timer.unref();
  }

  /** The first CONNACK: a resumed session may hold a backlog (wait for the barrier, up to the timeout); a new one holds none. */
  sessionStarted(sessionPresent: boolean): void {
    for (const alert of this.pendingClears.splice(0)) this.emit(alert); // published now that the session is up
    if (!sessionPresent) return this.endCatchUp('no persistent session was resumed: no backlog');
    this.catchUpTimer = setTimeout(() => {
      if (this.engine.catchingUp) this.endCatchUp(`the broker's backlog did not come in within ${this.options.catchUpTimeoutMs / 1000} s${this.gapsText()}: judging resumes; older messages still to come count as late`, 'warn');
    }, this.options.catchUpTimeoutMs);
    this.catchUpTimer.unref();
  }

  barrierFailed(error: Error): void {
    this.logger.warn(`could not publish the resume barrier (${error.message}): a backlog is waited for at most ${this.options.catchUpTimeoutMs / 1000} s`);
  }

  /** A message on the barrier pattern: this start's barrier means the backlog is in. Never throws. */
  resume(topic: string, payload: Buffer): void {
    if (!isOwnBarrier(this.barrier, topic, payload) || !this.engine.catchingUp) return;
    try {
      for (const alert of this.engine.backlogIn()) this.emit(alert);
      this.logger.log(`backlog in${this.engine.catchingUp ? `; waiting for${this.gapsText()}` : '; judging resumes'}`);
    } catch (error) {
      this.problems.log(`rules failed on the resume barrier: ${(error as Error).message}`);
    }
  }

  private endCatchUp(why: string, level: 'log' | 'warn' = 'log'): void {
    if (this.catchUpTimer) clearTimeout(this.catchUpTimer);
    if (!this.engine.catchingUp) return;
    try {
      for (const alert of this.engine.endCatchUp()) this.emit(alert);
    } catch (error) {
      this.problems.log(`rules failed ending the catch-up: ${(error as Error).message}`);
    }
    this.logger[level](why);
  }

  private gapsText(): string {
    const gaps = Object.entries(this.engine.gaps()).map(([c, devices]) => `${c}: ${devices.slice(0, 5).join(', ')}${devices.length > 5 ? ` and ${devices.length - 5} more` : ''}`);
    return gaps.length ? ` (seq gaps at ${gaps.join('; ')})` : '';
  }

  /** One MQTT message. Never throws. */
  accept(topic: string, payload: Buffer, retained = false): void {
    if (this.stopping) return; // unacknowledged: the broker delivers it again at the next start
    this.received.inc();
    const result = validateDeviceMessage(topic, payload, Date.now());
    if (!result.ok) {
      this.invalid.inc();
      return;
    }
    try {
      const untimed = result.message.channel === 'status' && !hasTs(payload);
      this.inputs.next({ message: result.message, retained, untimed });
    } catch (error) {
      this.problems.log(`rules failed on ${topic}: ${(error as Error).message}`);
    }
  }

  /**
   * A person handled an alert in the api (gc/{c}/alerts/acks): a rule that clears only so
   * (security.gate_forced) clears now, and the clear is published like any other. Redelivered or
   * unknown acknowledgements change nothing.
   */
  acknowledged(topic: string, payload: Buffer): void {
    if (this.stopping) return; // unacknowledged: the broker delivers it again at the next start
    const parsed = parseAlertAck(payload);
    if (!parsed.ok) return this.problems.log(`ignored an acknowledgement on ${topic}: ${parsed.reason}`);
    for (const alert of this.engine.acknowledge(parsed.ack.alertId)) this.emit(alert);
  }

  /** A community's changed configuration (CommunityConfigFollower); throws when its rule overrides cannot apply. */
  configure(config: CommunityConfig): void {
    assertRuleOverrides(config);
    for (const alert of this.engine.configure(config)) this.emit(alert);
  }

  private emit(alert: Alert): void {
    this.alerts.inc({ rule: alert.rule, state: alert.state });
    this.store.writer.enqueue(alertToLine(alert));
    this.publish(alertsTopic(alert.communityId), JSON.stringify(alert)).catch((error: unknown) => this.problems.log(`could not publish alert ${alert.alertId}: ${String(error)}`));
  }

  /** Saves the snapshot; saves never overlap. */
  save(): Promise<void> {
    this.saving = this.saving
      .then(() => this.state.save(this.engine.snapshot()))
      .then(
        () => {
          this.lastSavedAt = Date.now();
          this.lastSaveAttempt = { ok: true };
        },
        (error: unknown) => {
          this.lastSaveAttempt = { ok: false, error: error instanceof Error ? error.message : String(error) };
          this.logger.error(`could not save rule state: ${String(error)}`);
        },
      );
    return this.saving;
  }

  /** What the rules' /health tells besides the MQTT session (rules-http.controller.ts). */
  status() {
    const attempt = this.lastSaveAttempt;
    return {
      catchingUp: this.engine.catchingUp,
      buffered: this.engine.buffered,
      openAlerts: this.engine.book.size,
      late: this.engine.stats.late,
      snapshot: {
        everyS: this.options.snapshotIntervalMs / 1000,
        lastSavedAt: this.lastSavedAt === undefined ? null : new Date(this.lastSavedAt).toISOString(),
        /** How the latest save ended; null before the first. */
        lastSaveOk: attempt ? attempt.ok : null,
        ...(attempt?.error === undefined ? {} : { lastError: attempt.error }),
      },
    };
  }

  beforeApplicationShutdown(): void {
    this.stopping = true;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.catchUpTimer) clearTimeout(this.catchUpTimer);
    this.subscription?.unsubscribe();
    await this.save();
  }
}

/** Whether a (valid) status payload carried its own `ts`: the broker's last will has none. */
function hasTs(payload: Buffer): boolean {
  try {
    return (JSON.parse(payload.toString('utf8')) as { ts?: unknown }).ts !== undefined;
  } catch {
    return false;
  }
}
