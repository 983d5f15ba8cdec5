import { Injectable } from '@nestjs/common';
import type { AlertView, HistoryAction } from './alert-lifecycle.js';
import { RegistryDatabase } from './database.js';
import type { NotificationChannel, NotificationPolicy } from './notification-policy.js';

export type JobState = 'pending' | 'sending' | 'delivered' | 'failed' | 'suppressed';

export interface NewJob {
  eventId: number;
  communityId: string;
  alertId: string;
  channel: NotificationChannel;
  state: 'pending' | 'suppressed';
  nextAt: number;
  /** Why a suppressed job was not sent. */
  reason?: string;
}

/** A job claimed for sending, with the alert event it announces. */
export interface ClaimedJob {
  id: number;
  attempt: number;
  channel: NotificationChannel;
  event: { eventId: number; action: HistoryAction; at: number; by: string; comment?: string; alert: AlertView };
}

export interface DeliveryRecord {
  jobId: number;
  eventId: number;
  alertId: string;
  communityId: string;
  channelId: string;
  channelType: string;
  jobState: JobState;
  attempt: number;
  at: number;
  outcome: 'delivered' | 'failed' | 'suppressed';
  status?: number;
  error?: string;
  durationMs?: number;
}

/** Notification policies, the delivery outbox and the record of every attempt. */
export abstract class NotificationRepository {
  abstract policy(communityId: string): NotificationPolicy | undefined;
  abstract savePolicy(communityId: string, policy: NotificationPolicy, by: string, now: number): void;
  /** Adds jobs; a job for an (event, channel) that exists already is ignored (exactly-once). */
  abstract enqueue(jobs: NewJob[], now: number): number;
  /** Marks due pending jobs as sending and returns them. */
  abstract claimDue(now: number, limit: number): ClaimedJob[];
  abstract recordAttempt(jobId: number, attempt: number, result: { ok: boolean; status?: number; error?: string; durationMs: number }, next: { state: 'delivered' | 'pending' | 'failed'; nextAt?: number }, now: number): void;
  /** When the next pending job is due, if any. */
  abstract nextDueAt(): number | undefined;
  /** After a crash, jobs left "sending" are pending again (at-least-once for that rare case). */
  abstract requeueInterrupted(): number;
  abstract deliveries(filter: { communities?: string[]; alertId?: string; limit: number }): DeliveryRecord[];
  abstract jobCounts(): { state: JobState; count: number }[];
}

interface ClaimRow {
  id: number;
  attempts: number;
  channel: string;
  event_id: number;
  action: HistoryAction;
  at: number;
  actor: string;
  comment: string | null;
  snapshot: string;
}

@Injectable()
export class SqliteNotificationRepository extends NotificationRepository {
  constructor(private readonly database: RegistryDatabase) {
    super();
  }

  private get db() {
    return this.database.db;
  }

  policy(communityId: string): NotificationPolicy | undefined {
    const row = this.db.prepare('SELECT policy FROM notification_policies WHERE community_id = ?').get(communityId) as { policy: string } | undefined;
    return row && (JSON.parse(row.policy) as NotificationPolicy);
  }

  savePolicy(communityId: string, policy: NotificationPolicy, by: string, now: number): void {
    this.db
      .prepare('INSERT INTO notification_policies (community_id, policy, updated_at, updated_by) VALUES (?, ?, ?, ?) ON CONFLICT (community_id) DO UPDATE SET policy = excluded.policy, updated_at = excluded.updated_at, updated_by = excluded.updated_by')
      .run(communityId, JSON.stringify(policy), now, by);
  }

  enqueue(jobs: NewJob[], now: number): number {
    return this.database.transaction(() => {
      let added = 0;
      for (const j of jobs) {
        const { changes, lastInsertRowid } = this.db
          .prepare('INSERT OR IGNORE INTO notification_jobs (event_id, channel_id, community_id, alert_id, channel, state, attempts, next_at, created_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)')
          .run(j.eventId, j.channel.id, j.communityId, j.alertId, JSON.stringify(j.channel), j.state, j.nextAt, now);
        added += changes;
        if (changes && j.state === 'suppressed') {
          this.db.prepare("INSERT INTO notification_deliveries (job_id, attempt, at, outcome, error) VALUES (?, 0, ?, 'suppressed', ?)").run(lastInsertRowid, now, j.reason ?? null);
        }
      }
      return added;
    });
  }

  claimDue(now: number, limit: number): ClaimedJob[] {
    return this.database.transaction(() => {
      const rows = this.db
        .prepare(
          `SELECT j.id, j.attempts, j.channel, h.id AS event_id, h.action, h.at, h.actor, h.comment, h.snapshot
           FROM notification_jobs j JOIN alert_history h ON h.id = j.event_id
           WHERE j.state = 'pending' AND j.next_at <= ? ORDER BY j.next_at, j.id LIMIT ?`,
        )
        .all(now, limit) as ClaimRow[];
      const claim = this.db.prepare("UPDATE notification_jobs SET state = 'sending', attempts = attempts + 1 WHERE id = ? AND state = 'pending'");
      return rows
        .filter((r) => claim.run(r.id).changes === 1)
        .map((r) => ({
          id: r.id,
          attempt: r.attempts + 1,
          channel: JSON.parse(r.channel) as NotificationChannel,
          event: { eventId: r.event_id, action: r.action, at: r.at, by: r.actor, ...(r.comment !== null ? { comment: r.comment } : {}), alert: JSON.parse(r.snapshot) as AlertView },
        }));
    });
  }

  recordAttempt(jobId: number, attempt: number, result: { ok: boolean; status?: number; error?: string; durationMs: number }, next: { state: 'delivered' | 'pending' | 'failed'; nextAt?: number }, now: number): void {
    this.database.transaction(() => {
      this.db
        .prepare('INSERT INTO notification_deliveries (job_id, attempt, at, outcome, status, error, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(jobId, attempt, now, result.ok ? 'delivered' : 'failed', result.status ?? null, result.error ?? null, Math.round(result.durationMs));
      this.db.prepare("UPDATE notification_jobs SET state = ?, next_at = coalesce(?, next_at) WHERE id = ? AND state = 'sending'").run(next.state, next.nextAt ?? null, jobId);
    });
  }

  nextDueAt(): number | undefined {
    return (this.db.prepare("SELECT min(next_at) AS t FROM notification_jobs WHERE state = 'pending'").get() as { t: number | null }).t ?? undefined;
  }

  requeueInterrupted(): number {
    return this.db.prepare("UPDATE notification_jobs SET state = 'pending' WHERE state = 'sending'").run().changes;
  }

  deliveries(filter: { communities?: string[]; alertId?: string; limit: number }): DeliveryRecord[] {
    const rows = this.db
      .prepare(
        `SELECT d.job_id, j.event_id, j.alert_id, j.community_id, j.channel_id, json_extract(j.channel, '$.type') AS channel_type, j.state AS job_state, d.attempt, d.at, d.outcome, d.status, d.error, d.duration_ms
         FROM notification_deliveries d JOIN notification_jobs j ON j.id = d.job_id
         WHERE (@scope IS NULL OR j.community_id IN (SELECT value FROM json_each(@scope))) AND (@alert IS NULL OR j.alert_id = @alert)
         ORDER BY d.id DESC LIMIT @limit`,
      )
      .all({ scope: filter.communities ? JSON.stringify(filter.communities) : null, alert: filter.alertId ?? null, limit: filter.limit }) as Record<string, string | number | null>[];
    return rows.map((r) => {
      const d: DeliveryRecord = {
        jobId: r.job_id as number,
        eventId: r.event_id as number,
        alertId: r.alert_id as string,
        communityId: r.community_id as string,
        channelId: r.channel_id as string,
        channelType: r.channel_type as string,
        jobState: r.job_state as JobState,
        attempt: r.attempt as number,
        at: r.at as number,
        outcome: r.outcome as DeliveryRecord['outcome'],
      };
      if (r.status !== null) d.status = r.status as number;
      if (r.error !== null) d.error = r.error as string;
      if (r.duration_ms !== null) d.durationMs = r.duration_ms as number;
      return d;
    });
  }

  jobCounts(): { state: JobState; count: number }[] {
    return this.db.prepare('SELECT state, count(*) AS count FROM notification_jobs GROUP BY state ORDER BY state').all() as { state: JobState; count: number }[];
  }
}
