import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Subject } from 'rxjs';
import type { AlertEvent } from '#registry';
import { parseLastEventId, replayThenLive } from './sse-replay.js';

const ev = (eventId: number, communityId = 'demo'): AlertEvent => ({ eventId, communityId, alertId: `a${eventId}`, at: eventId, action: 'raised', by: 'rule', alert: {} as AlertEvent['alert'] });

function setup(stored: AlertEvent[]) {
  const live = new Subject<AlertEvent>();
  const reads: number[] = [];
  const readAfter = (id: number, size: number) => {
    reads.push(id);
    return stored.filter((e) => e.eventId > id).slice(0, size);
  };
  return { live, readAfter, reads };
}

describe('replayThenLive', () => {
  it('replays what was missed after Last-Event-ID, in pages, then goes live', () => {
    const stored = [1, 2, 3, 4, 5].map((i) => ev(i));
    const { live, readAfter, reads } = setup(stored);
    const got: number[] = [];
    const sub = replayThenLive({ lastEventId: 2, readAfter, live, inScope: () => true, pageSize: 2 }).subscribe((e) => got.push(e.eventId));
    assert.deepEqual(got, [3, 4, 5]);
    assert.deepEqual(reads, [2, 4]);
    live.next(ev(6));
    assert.deepEqual(got, [3, 4, 5, 6]);
    sub.unsubscribe();
    live.next(ev(7));
    assert.deepEqual(got, [3, 4, 5, 6]);
  });

  it('a live event that arrives during the replay is emitted once, after it', () => {
    const stored = [ev(1), ev(2), ev(3)];
    const live = new Subject<AlertEvent>();
    const got: number[] = [];
    let first = true;
    const readAfter = (id: number) => {
      if (first) {
        first = false;
        // committed while we read: it is in the store and on the bus
        stored.push(ev(4));
        live.next(ev(4));
      }
      return stored.filter((e) => e.eventId > id);
    };
    replayThenLive({ lastEventId: 0, readAfter, live, inScope: () => true }).subscribe((e) => got.push(e.eventId));
    assert.deepEqual(got, [1, 2, 3, 4]);
  });

  it('without Last-Event-ID: live only; out-of-scope events never reach the client', () => {
    const { live, readAfter, reads } = setup([ev(1)]);
    const got: string[] = [];
    replayThenLive({ lastEventId: undefined, readAfter, live, inScope: (e) => e.communityId === 'demo' }).subscribe((e) => got.push(`${e.communityId}${e.eventId}`));
    live.next(ev(2, 'east'));
    live.next(ev(3, 'demo'));
    assert.deepEqual(got, ['demo3']);
    assert.deepEqual(reads, []);
  });

  it('parseLastEventId', () => {
    assert.equal(parseLastEventId(undefined), undefined);
    assert.equal(parseLastEventId('42'), 42);
    assert.equal(parseLastEventId("1' OR 1=1"), 'invalid');
    assert.equal(parseLastEventId('-1'), 'invalid');
  });
});
