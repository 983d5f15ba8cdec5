import { inRange, localMinuteOfDay, parseHourRange } from '#rules';
import type { AlertEvent, NewJob, NotificationPolicy } from '#registry';

/** Whether `at` falls in the quiet hours "HH:MM-HH:MM" of a zone (may wrap midnight). */
export function inQuietHours(hours: string, timezone: string, at: number): boolean {
  return inRange(localMinuteOfDay(at, timezone), parseHourRange(hours));
}

/**
 * The jobs an alert event makes under a community's policy: one per channel whose severities and
 * actions match. In quiet hours (community time zone) a severity not in `allow` is recorded as
 * suppressed instead of sent.
 */
export function planJobs(policy: NotificationPolicy | undefined, event: AlertEvent, timezone: string, now: number): NewJob[] {
  if (!policy) return [];
  const quiet = policy.quietHours && inQuietHours(policy.quietHours.hours, timezone, now) && !policy.quietHours.allow.includes(event.alert.severity);
  return policy.channels
    .filter((c) => c.severities.includes(event.alert.severity) && (c.actions as string[]).includes(event.action))
    .map((channel) => ({
      eventId: event.eventId,
      communityId: event.communityId,
      alertId: event.alertId,
      channel,
      state: quiet ? 'suppressed' : 'pending',
      nextAt: now,
      ...(quiet ? { reason: `quiet hours ${policy.quietHours!.hours} (${timezone})` } : {}),
    }));
}

/** Exponential backoff: base, 2·base, 4·base … ; undefined once `maxAttempts` are used up. */
export function retryDelay(attempt: number, options: { baseMs: number; maxAttempts: number; maxDelayMs?: number }): number | undefined {
  if (attempt >= options.maxAttempts) return undefined;
  return Math.min(options.baseMs * 2 ** (attempt - 1), options.maxDelayMs ?? 3_600_000);
}
