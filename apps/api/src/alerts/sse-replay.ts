import { Observable } from 'rxjs';
import type { AlertEvent } from '#registry';

/**
 * The events an SSE client should get: after a reconnect with Last-Event-ID, first everything it
 * missed (read from the registry in pages), then live events, with no gap and no repeat. Live
 * events that arrive while the replay is read are held and then emitted once, by event id.
 * Without a Last-Event-ID, live events only.
 */
export function replayThenLive(options: {
  lastEventId: number | undefined;
  /** Events after an id, oldest first, at most `pageSize`. */
  readAfter: (eventId: number, pageSize: number) => AlertEvent[];
  live: Observable<AlertEvent>;
  inScope: (event: AlertEvent) => boolean;
  pageSize?: number;
}): Observable<AlertEvent> {
  const pageSize = options.pageSize ?? 500;
  return new Observable<AlertEvent>((subscriber) => {
    let last = options.lastEventId ?? 0;
    let replaying = true;
    const held: AlertEvent[] = [];
    const emit = (e: AlertEvent) => {
      if (e.eventId <= last) return;
      last = e.eventId;
      subscriber.next(e);
    };
    const live = options.live.subscribe({
      next: (e) => {
        if (!options.inScope(e)) return;
        if (replaying) held.push(e);
        else emit(e);
      },
      complete: () => subscriber.complete(),
      error: (error: unknown) => subscriber.error(error),
    });
    try {
      if (options.lastEventId !== undefined) {
        for (;;) {
          const page = options.readAfter(last, pageSize);
          for (const e of page) emit(e);
          if (page.length < pageSize) break;
        }
      }
      replaying = false;
      for (const e of held.sort((a, b) => a.eventId - b.eventId)) emit(e);
      held.length = 0;
    } catch (error) {
      subscriber.error(error);
    }
    return () => live.unsubscribe();
  });
}

/** Last-Event-ID header (or lastEventId query) as a non-negative integer, or undefined. */
export function parseLastEventId(value: unknown): number | undefined | 'invalid' {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value)) return 'invalid';
  return Number(value);
}
