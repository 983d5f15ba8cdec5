import { inRange, localMinuteOfDay, parseHourRange } from '#rules';
import type { AlertEvent, NewJob, NotificationPolicy } from '#registry';

/** Whether `at` falls in the quiet hours "HH:MM-HH:MM" of a zone (may wrap midnight). */
export function inQuietHours(hours: string, timezone: string, at: number): boolean {
  return inRange(localMinuteOfDay(at, timezone), parseHourRange(hours));
}

/**
 * When the quiet hours that contain `at` end: the next instant whose local time (in `timezone`)
 * is the range's end, to the minute (across a daylight-saving change too); undefined for quiet
 * hours of the whole day ("00:00-00:00", "00:00-24:00").
 */
export function quietHoursEnd(hours: string, timezone: string, at: number): number | undefined {
  const range = parseHourRange(hours);
  const end = range.end % 1440;
  const span = range.end - range.start;
  if (span === 0 || span >= 1440) return undefined; // as inRange: the whole day
  const minute = Math.floor(at / 60_000) * 60_000;
  const wallClock = minute + ((((end - localMinuteOfDay(at, timezone)) % 1440) + 1440) % 1440) * 60_000;
  // an hour more or less when the zone's offset changes in between
  for (const shift of [0, -60, 60]) {
    const t = wallClock + shift * 60_000;
    if (t > at && localMinuteOfDay(t, timezone) === end) return t;
  }
  return wallClock;
}

/**
 * The jobs an alert event makes under a community's policy: one per channel whose severities and
 * actions match. In quiet hours (community time zone) a severity not in `allow` waits until they
 * end (then: 'defer', the default), or is recorded as suppressed and never sent (then: 'suppress',
 * and always for quiet hours of the whole day).
 */
export function planJobs(policy: NotificationPolicy | undefined, event: AlertEvent, timezone: string, now: number): NewJob[] {
  if (!policy) return [];
  const quiet = policy.quietHours && inQuietHours(policy.quietHours.hours, timezone, now) && !policy.quietHours.allow.includes(event.alert.severity) ? policy.quietHours : undefined;
  const deferredTo = quiet && quiet.then !== 'suppress' ? quietHoursEnd(quiet.hours, timezone, now) : undefined;
  return policy.channels
    .filter((c) => c.severities.includes(event.alert.severity) && (c.actions as string[]).includes(event.action))
    .map((channel) => ({
      eventId: event.eventId,
      communityId: event.communityId,
      alertId: event.alertId,
      channel,
      state: quiet && deferredTo === undefined ? 'suppressed' : 'pending',
      nextAt: deferredTo ?? now,
      ...(quiet && deferredTo === undefined ? { reason: `quiet hours ${quiet.hours} (${timezone})` } : {}),
    }));
}

/** Exponential backoff: base, 2·base, 4·base … ; undefined once `maxAttempts` are used up. */
export function retryDelay(attempt: number, options: { baseMs: number; maxAttempts: number; maxDelayMs?: number }): number | undefined {
  if (attempt >= options.maxAttempts) return undefined;
  return Math.min(options.baseMs * 2 ** (attempt - 1), options.maxDelayMs ?? 3_600_000);
}
