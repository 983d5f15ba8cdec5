import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#config';
import { type MetricsRegistry, RateLimitedLog } from '#observability';
import { type AlertEvent, type ClaimedJob, CommunityRepository, NotificationRepository } from '#registry';
import { API_METRICS, CLOCK, type Clock } from '../tokens.js';
import { accepted, buildRequest } from './channel-formats.js';
import { HttpSender } from './http-sender.js';
import { planJobs, retryDelay } from './planning.js';

/**
 * Notifications through an outbox in the registry: jobs are written in the same transaction as
 * the alert step they announce (plan), then sent by this dispatcher. Each job is one (event,
 * channel), so a message reaches a channel once; every attempt is recorded; a failed attempt is
 * retried with exponential backoff up to NOTIFY_MAX_ATTEMPTS. Jobs are sent independently, so a
 * slow or failing channel delays nobody else, and the alert pipeline never waits for a channel.
 */
@Injectable()
export class NotifierService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Notifier');
  private readonly problems = new RateLimitedLog((line) => this.logger.warn(line), { burst: 20, windowMs: 60_000 });
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly inflight = new Set<Promise<void>>();
  private closed = false;
  private readonly attempts;

  constructor(
    private readonly jobs: NotificationRepository,
    private readonly communities: CommunityRepository,
    private readonly sender: HttpSender,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(API_METRICS) metrics: MetricsRegistry,
  ) {
    this.attempts = metrics.counter('greenwatch_api_notification_attempts_total', 'Notification delivery attempts by channel type and outcome');
    metrics.gauge('greenwatch_api_notification_jobs', 'Notification jobs by state', () => jobs.jobCounts().map((c) => ({ labels: { state: c.state }, value: c.count })));
  }

  onApplicationBootstrap(): void {
    const requeued = this.jobs.requeueInterrupted();
    if (requeued) this.logger.warn(`${requeued} notification(s) were being sent when the api stopped: sending them again`);
    this.schedule();
  }

  /** Jobs for committed-to-be alert events; call inside the transaction that records them. */
  plan(events: AlertEvent[]): void {
    const now = this.clock.now();
    for (const event of events) {
      const policy = this.jobs.policy(event.communityId);
      if (!policy) continue;
      const timezone = this.communities.get(event.communityId)?.timezone ?? 'Asia/Shanghai';
      this.jobs.enqueue(planJobs(policy, event, timezone, now), now);
    }
  }

  /** Sends what is due now (after a commit that planned jobs). */
  wake(): void {
    this.tick();
  }

  private tick(): void {
    if (this.closed) return;
    for (const job of this.jobs.claimDue(this.clock.now(), 100)) {
      const sending: Promise<void> = this.deliver(job)
        .catch((error: unknown) => this.logger.error(`could not record a delivery of job ${job.id}: ${String(error)}`))
        .finally(() => {
        this.inflight.delete(sending);
        this.schedule();
      });
      this.inflight.add(sending);
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const next = this.jobs.nextDueAt();
    if (next === undefined) return;
    this.timer = setTimeout(() => this.tick(), Math.min(Math.max(0, next - this.clock.now()), 2 ** 31 - 1));
  }

  private async deliver(job: ClaimedJob): Promise<void> {
    const started = this.clock.now();
    let outcome: { ok: boolean; status?: number; error?: string };
    try {
      const answer = await this.sender.send(buildRequest(job.channel, job.event, started), this.config.api.notifyTimeoutMs);
      outcome = { status: answer.status, ...accepted(job.channel.type, answer.status, answer.body) };
    } catch (error) {
      outcome = { ok: false, error: describe(error) };
    }
    const now = this.clock.now();
    const result = { ...outcome, durationMs: now - started };
    this.attempts.inc({ channel: job.channel.type, outcome: outcome.ok ? 'delivered' : 'failed' });
    if (outcome.ok) {
      this.jobs.recordAttempt(job.id, job.attempt, result, { state: 'delivered' }, now);
      return;
    }
    const delay = retryDelay(job.attempt, { baseMs: this.config.api.notifyRetryMs, maxAttempts: this.config.api.notifyMaxAttempts });
    this.jobs.recordAttempt(job.id, job.attempt, result, delay === undefined ? { state: 'failed' } : { state: 'pending', nextAt: now + delay }, now);
    this.problems.log(`channel ${job.channel.id} (${job.channel.type}) attempt ${job.attempt} failed: ${outcome.error}${delay === undefined ? '; giving up' : `; next in ${delay} ms`}`);
  }

  /** Before the registry closes (onApplicationShutdown): no new sends, and the running ones recorded. */
  async beforeApplicationShutdown(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await Promise.allSettled([...this.inflight]);
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return (error.name === 'TimeoutError' ? 'timed out' : `${error.message}${cause ? ` (${cause})` : ''}`).slice(0, 300);
  }
  return String(error).slice(0, 300);
}
