import { Injectable } from '@nestjs/common';
import type { AlertStatus, AlertStep, AlertView, HistoryAction } from './alert-lifecycle.js';
import { RegistryDatabase } from './database.js';

/** One history row; its id is the SSE event id (monotonic across all alerts). */
export interface AlertEvent {
  eventId: number;
  alertId: string;
  communityId: string;
  at: number;
  action: HistoryAction;
  by: string;
  comment?: string;
  /** The alert as it was right after this step. */
  alert: AlertView;
}

export interface AlertFilter {
  /** The caller's scope: undefined = every community. */
  communities?: string[];
  community?: string;
  state?: AlertStatus;
  criterion?: string;
  rule?: string;
  device?: string;
  /** Raised at or after / before, epoch ms (event time). */
  from?: number;
  to?: number;
  limit: number;
}

/** Alerts and their history. A server database can implement the same interface. */
export abstract class AlertRepository {
  abstract get(alertId: string): AlertView | undefined;
  abstract list(filter: AlertFilter): AlertView[];
  abstract history(alertId: string): AlertEvent[];
  /** Records steps (upserting the alert after each); returns them as events, in order. */
  abstract append(steps: AlertStep[]): AlertEvent[];
  /** Events after `eventId` within the scope, oldest first (SSE replay). */
  abstract eventsAfter(eventId: number, communities: string[] | undefined, limit: number): AlertEvent[];
  abstract counts(): { state: AlertStatus; count: number }[];
}

interface HistoryRow {
  id: number;
  alert_id: string;
  community_id: string;
  at: number;
  action: HistoryAction;
  actor: string;
  comment: string | null;
  snapshot: string;
}

@Injectable()
export class SqliteAlertRepository extends AlertRepository {
  constructor(private readonly database: RegistryDatabase) {
    super();
  }

  private get db() {
    return this.database.db;
  }

  get(alertId: string): AlertView | undefined {
    const row = this.db.prepare('SELECT record FROM alerts WHERE alert_id = ?').get(alertId) as { record: string } | undefined;
    return row && (JSON.parse(row.record) as AlertView);
  }

  list(filter: AlertFilter): AlertView[] {
    // Only column names from this code reach the SQL text; every value is a bound parameter.
    const where: string[] = [];
    const params: Record<string, string | number> = { limit: filter.limit };
    const add = (clause: string, name: string, value: string | number | undefined) => {
      if (value === undefined) return;
      where.push(clause);
      params[name] = value;
    };
    add('community_id IN (SELECT value FROM json_each(@scope))', 'scope', filter.communities && JSON.stringify(filter.communities));
    add('community_id = @community', 'community', filter.community);
    add('state = @state', 'state', filter.state);
    add('criterion = @criterion', 'criterion', filter.criterion);
    add('rule = @rule', 'rule', filter.rule);
    add('device_id = @device', 'device', filter.device);
    add('raised_at >= @from', 'from', filter.from);
    add('raised_at < @to', 'to', filter.to);
    const sql = `SELECT record FROM alerts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY raised_at DESC, alert_id LIMIT @limit`;
    return (this.db.prepare(sql).all(params) as { record: string }[]).map((r) => JSON.parse(r.record) as AlertView);
  }

  history(alertId: string): AlertEvent[] {
    return (this.db.prepare('SELECT * FROM alert_history WHERE alert_id = ? ORDER BY id').all(alertId) as HistoryRow[]).map(toEvent);
  }

  append(steps: AlertStep[]): AlertEvent[] {
    return this.database.transaction(() =>
      steps.map((s) => {
        const a = s.alert;
        this.db
          .prepare(
            `INSERT INTO alerts (alert_id, community_id, rule, criterion, severity, state, rule_state, device_id, compound_id, raised_at, rule_at, updated_at, record)
             VALUES (@alertId, @communityId, @rule, @criterion, @severity, @state, @ruleState, @deviceId, @compoundId, @raisedAt, @ruleAt, @updatedAt, @record)
             ON CONFLICT (alert_id) DO UPDATE SET severity = excluded.severity, state = excluded.state, rule_state = excluded.rule_state, rule_at = excluded.rule_at, updated_at = excluded.updated_at, record = excluded.record`,
          )
          .run({ ...a, deviceId: a.deviceId ?? null, compoundId: a.compoundId ?? null, record: JSON.stringify(a) });
        const { lastInsertRowid } = this.db
          .prepare('INSERT INTO alert_history (alert_id, community_id, at, action, actor, comment, snapshot) VALUES (?, ?, ?, ?, ?, ?, ?)')
          .run(a.alertId, a.communityId, s.at, s.action, s.by, s.comment ?? null, JSON.stringify(a));
        return { eventId: Number(lastInsertRowid), alertId: a.alertId, communityId: a.communityId, at: s.at, action: s.action, by: s.by, ...(s.comment ? { comment: s.comment } : {}), alert: a };
      }),
    );
  }

  eventsAfter(eventId: number, communities: string[] | undefined, limit: number): AlertEvent[] {
    const rows = communities
      ? this.db.prepare('SELECT * FROM alert_history WHERE id > ? AND community_id IN (SELECT value FROM json_each(?)) ORDER BY id LIMIT ?').all(eventId, JSON.stringify(communities), limit)
      : this.db.prepare('SELECT * FROM alert_history WHERE id > ? ORDER BY id LIMIT ?').all(eventId, limit);
    return (rows as HistoryRow[]).map(toEvent);
  }

  counts(): { state: AlertStatus; count: number }[] {
    return this.db.prepare('SELECT state, count(*) AS count FROM alerts GROUP BY state ORDER BY state').all() as { state: AlertStatus; count: number }[];
  }
}

function toEvent(r: HistoryRow): AlertEvent {
  return { eventId: r.id, alertId: r.alert_id, communityId: r.community_id, at: r.at, action: r.action, by: r.actor, ...(r.comment !== null ? { comment: r.comment } : {}), alert: JSON.parse(r.snapshot) as AlertView };
}
