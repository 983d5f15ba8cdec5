import { Inject, Injectable, Logger } from '@nestjs/common';
import { type Observable, map } from 'rxjs';
import { type MetricsRegistry, RateLimitedLog } from '#observability';
import { type AlertEvent, AlertRepository, type AlertStep, type AlertView, type LifecycleResult, NotificationRepository, RegistryDatabase, acknowledge, addComment, applyRuleMessage, assign, resolve } from '#registry';
import { type Principal, assertAct, assertRead, readScope } from '../auth/access.js';
import { ApiError, badParameter, notFound } from '../http/api-error.js';
import { NotifierService } from '../notifications/notifier.service.js';
import { API_METRICS, CLOCK, type Clock } from '../tokens.js';
import { AlertEventBus } from './alert-events.js';
import { parseAlertMessage } from './alert-message.js';
import type { AlertListQuery } from './alert-queries.js';
import { parseLastEventId, replayThenLive } from './sse-replay.js';

export type PersonAction = { kind: 'ack'; by: string; comment?: string } | { kind: 'resolve'; by: string; comment: string } | { kind: 'assign'; by: string; assignee: string; comment?: string } | { kind: 'comment'; by: string; comment: string };

/**
 * Alert handling: rule messages from MQTT and people's steps from HTTP both become history rows
 * through the pure lifecycle (#registry), each in one transaction with the notifications it
 * causes; committed events go to SSE clients.
 */
@Injectable()
export class AlertsService {
  private readonly logger = new Logger('Alerts');
  private readonly problems = new RateLimitedLog((line) => this.logger.warn(line), { burst: 20, windowMs: 60_000 });
  private readonly received;
  private readonly steps;

  constructor(
    private readonly alerts: AlertRepository,
    private readonly deliveries: NotificationRepository,
    private readonly database: RegistryDatabase,
    private readonly notifier: NotifierService,
    private readonly bus: AlertEventBus,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(API_METRICS) metrics: MetricsRegistry,
  ) {
    this.received = metrics.counter('greenwatch_api_alert_messages_total', 'Alert messages received from the rules, by outcome');
    this.steps = metrics.counter('greenwatch_api_alert_steps_total', 'Alert history steps recorded, by action');
    metrics.gauge('greenwatch_api_alerts', 'Alerts in the registry by state', () => alerts.counts().map((c) => ({ labels: { state: c.state }, value: c.count })));
  }

  /**
   * One message from gc/{c}/alerts; returns what it did. An invalid message is logged and
   * dropped; a registry failure throws, so that the message is not acknowledged.
   */
  acceptRuleMessage(topic: string, payload: Buffer): 'recorded' | 'unchanged' | 'invalid' {
    const parsed = parseAlertMessage(topic, payload);
    if (!parsed.ok) {
      this.received.inc({ outcome: 'invalid' });
      this.problems.log(`ignored an alert message on ${topic}: ${parsed.reason}`);
      return 'invalid';
    }
    const events = this.record(() => applyRuleMessage(this.alerts.get(parsed.alert.alertId), parsed.alert, this.clock.now()));
    this.received.inc({ outcome: events.length ? 'recorded' : 'unchanged' });
    return events.length ? 'recorded' : 'unchanged';
  }

  list(caller: Principal, q: AlertListQuery): AlertView[] {
    if (q.community) assertRead(caller, q.community);
    return this.alerts.list({ ...q, communities: readScope(caller), limit: q.limit ?? 100 });
  }

  get(caller: Principal, alertId: string) {
    const alert = this.visible(caller, alertId);
    return { alert, history: this.alerts.history(alertId).map(historyRow), deliveries: this.deliveries.deliveries({ alertId, limit: 200 }) };
  }

  act(caller: Principal, alertId: string, action: PersonAction): { alert: AlertView; eventId: number } {
    const current = this.visible(caller, alertId);
    assertAct(caller, current.communityId);
    const now = this.clock.now();
    let failure: ApiError | undefined;
    const events = this.record(() => {
      const latest = this.alerts.get(alertId)!;
      const result: LifecycleResult =
        action.kind === 'ack' ? acknowledge(latest, action, now) : action.kind === 'resolve' ? resolve(latest, action, now) : action.kind === 'assign' ? assign(latest, action, now) : addComment(latest, action, now);
      if (!result.ok) {
        failure = new ApiError('conflict', result.message);
        return [];
      }
      return result.steps;
    });
    if (failure) throw failure;
    const last = events[events.length - 1];
    return { alert: last.alert, eventId: last.eventId };
  }

  /** SSE: new and changed alerts in the caller's scope (and community, if given), replaying after Last-Event-ID. */
  stream(caller: Principal, community: string | undefined, lastEventIdRaw: unknown): Observable<{ id: string; type: string; data: object }> {
    if (community) assertRead(caller, community);
    const lastEventId = parseLastEventId(lastEventIdRaw);
    if (lastEventId === 'invalid') throw badParameter('Last-Event-ID', 'Last-Event-ID: expected an event id (a non-negative integer)');
    const scope = community ? [community] : readScope(caller);
    const inScope = (e: AlertEvent) => !scope || scope.includes(e.communityId);
    return replayThenLive({ lastEventId, readAfter: (after, size) => this.alerts.eventsAfter(after, scope, size), live: this.bus.events, inScope }).pipe(
      map((e) => ({ id: String(e.eventId), type: 'alert', data: historyRow(e) })),
    );
  }

  private visible(caller: Principal, alertId: string): AlertView {
    const alert = this.alerts.get(alertId);
    if (!alert) throw notFound(`no alert ${alertId}`);
    assertRead(caller, alert.communityId);
    return alert;
  }

  /** Decide, record and plan notifications in one transaction; then tell SSE clients and the notifier. */
  private record(decide: () => AlertStep[]): AlertEvent[] {
    const events = this.database.transaction(() => {
      const written = this.alerts.append(decide());
      this.notifier.plan(written);
      return written;
    });
    for (const e of events) this.steps.inc({ action: e.action });
    if (events.length) {
      this.bus.publish(events);
      this.notifier.wake();
    }
    return events;
  }
}

/** A history row as the API shows it (the SSE `data` too). */
export function historyRow(e: AlertEvent) {
  return { eventId: e.eventId, alertId: e.alertId, communityId: e.communityId, at: e.at, action: e.action, by: e.by, ...(e.comment ? { comment: e.comment } : {}), alert: e.alert };
}
