import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { HttpError } from '@influxdata/influxdb-client';
import { type LineSink, PointWriter, type PointWriterOptions } from './point-writer.js';

/** Virtual time: timers run only when a test advances the clock. No sleeps. */
class VirtualTimers {
  now = 0;
  private nextId = 1;
  private readonly pending = new Map<number, { at: number; fn: () => void }>();
  /** Every delay requested, in order. */
  readonly requested: number[] = [];

  readonly setTimeout = ((fn: () => void, ms = 0) => {
    const id = this.nextId++;
    this.requested.push(ms);
    this.pending.set(id, { at: this.now + ms, fn });
    return id;
  }) as unknown as typeof setTimeout;

  readonly clearTimeout = ((id: number) => {
    this.pending.delete(id);
  }) as unknown as typeof clearTimeout;

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Moves the clock forward, running due timers in order and letting promises settle after each. */
  async advance(ms: number): Promise<void> {
    const target = this.now + ms;
    for (;;) {
      await settle();
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.pending) if (entry[1].at <= target && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.pending.delete(next[0]);
      this.now = next[1].at;
      next[1].fn();
    }
    this.now = target;
    await settle();
  }
}

/** Lets every pending promise callback run (the writer's chains are microtasks). */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
}

type Reply = 'ok' | Error | Promise<void>;

/** A LineSink that records each body and answers with what the test scripted (default: accept). */
class FakeSink implements LineSink {
  readonly bodies: string[] = [];
  readonly accepted: string[] = [];
  constructor(private readonly reply: (body: string, call: number) => Reply = () => 'ok') {}

  async write(body: string): Promise<void> {
    const call = this.bodies.push(body) - 1;
    const r = this.reply(body, call);
    if (r instanceof Error) throw r;
    if (r !== 'ok') await r;
    this.accepted.push(body);
  }

  get lines(): string[] {
    return this.accepted.flatMap((b) => b.split('\n'));
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void } {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Tracks whether a promise has settled yet. */
function track(promise: Promise<unknown>): { done: boolean } {
  const state = { done: false };
  void promise.then(() => (state.done = true));
  return state;
}

const econnrefused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8086'), { code: 'ECONNREFUSED' });
const lines = (n: number, prefix = 'l') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

let timers: VirtualTimers;
function writer(sink: LineSink, options: Partial<PointWriterOptions> = {}): PointWriter {
  return new PointWriter(sink, { batchSize: 3, flushIntervalMs: 50, minRetryDelayMs: 100, maxRetryDelayMs: 10_000, timers, ...options });
}

beforeEach(() => {
  timers = new VirtualTimers();
  // jitter factor = 0.5 + random/2 = 0.75: every backoff below is 3/4 of its nominal value
  mock.method(Math, 'random', () => 0.5);
});
afterEach(() => mock.restoreAll());

describe('PointWriter: batching', () => {
  it('sends a full batch at once, without waiting for the flush interval', async () => {
    const sink = new FakeSink();
    const w = writer(sink);
    w.enqueue('a');
    w.enqueue('b');
    await settle();
    assert.deepEqual(sink.bodies, []);
    w.enqueue('c');
    await settle();
    assert.deepEqual(sink.bodies, ['a\nb\nc']);
  });

  it('a partial batch waits exactly flushIntervalMs', async () => {
    const sink = new FakeSink();
    const w = writer(sink, { batchSize: 100, flushIntervalMs: 50 });
    const p = track(w.write(['a', 'b']));
    await timers.advance(49);
    assert.deepEqual(sink.bodies, []);
    assert.equal(p.done, false);
    await timers.advance(1);
    assert.deepEqual(sink.bodies, ['a\nb']);
    assert.equal(p.done, true);
  });

  it('the flush interval is counted from the first buffered line, not the last', async () => {
    const sink = new FakeSink();
    const w = writer(sink, { batchSize: 100, flushIntervalMs: 50 });
    w.enqueue('a');
    await timers.advance(30);
    w.enqueue('b');
    await timers.advance(20);
    assert.deepEqual(sink.bodies, ['a\nb']);
  });

  it('splits a large write into batches of batchSize, in order', async () => {
    const sink = new FakeSink();
    const w = writer(sink, { batchSize: 3 });
    await w.write(lines(7));
    assert.deepEqual(sink.bodies, ['l0\nl1\nl2', 'l3\nl4\nl5', 'l6']);
    assert.equal(w.stats.written, 7);
    assert.equal(w.stats.batches, 3);
    assert.equal(w.stats.backlog, 0);
  });

  it('lines that arrive while a request is in flight go in the next request at once', async () => {
    const first = deferred();
    const sink = new FakeSink((_b, call) => (call === 0 ? first.promise : 'ok'));
    const w = writer(sink, { batchSize: 2 });
    const p1 = track(w.write(['a', 'b']));
    await settle();
    const p2 = track(w.write('c'));
    await settle();
    assert.deepEqual(sink.bodies, ['a\nb'], 'one request in flight at a time');
    first.resolve();
    await settle();
    assert.deepEqual(sink.bodies, ['a\nb', 'c'], 'no flush-interval wait for the follow-up');
    assert.equal(p1.done && p2.done, true);
  });
});

describe('PointWriter: write() resolves after the sink accepted', () => {
  it('not before', async () => {
    const gate = deferred();
    const sink = new FakeSink(() => gate.promise);
    const w = writer(sink, { batchSize: 2 });
    const p = track(w.write(['a', 'b']));
    await settle();
    assert.equal(sink.bodies.length, 1);
    assert.equal(p.done, false);
    gate.resolve();
    await settle();
    assert.equal(p.done, true);
  });

  it('each write resolves when its own lines are in, even if later ones are not', async () => {
    const second = deferred();
    const sink = new FakeSink((_b, call) => (call === 1 ? second.promise : 'ok'));
    const w = writer(sink, { batchSize: 2 });
    const p1 = track(w.write(['a', 'b']));
    const p2 = track(w.write(['c', 'd']));
    await settle();
    assert.equal(p1.done, true);
    assert.equal(p2.done, false);
    second.resolve();
    await settle();
    assert.equal(p2.done, true);
  });

  it('a write split over two batches resolves only after the second', async () => {
    const second = deferred();
    const sink = new FakeSink((_b, call) => (call === 1 ? second.promise : 'ok'));
    const w = writer(sink, { batchSize: 2 });
    const p = track(w.write(['a', 'b', 'c']));
    await settle();
    assert.equal(p.done, false);
    second.resolve();
    await settle();
    assert.equal(p.done, true);
  });
});

describe('PointWriter: retries', () => {
  it('retries ECONNREFUSED with exponential backoff, then delivers', async () => {
    const retries: [number, number][] = [];
    const sink = new FakeSink((_b, call) => (call < 3 ? econnrefused() : 'ok'));
    const w = writer(sink, { onRetry: (_e, attempt, delay) => retries.push([attempt, delay]) });
    const p = track(w.write(['a', 'b', 'c']));
    await settle();
    assert.equal(sink.bodies.length, 1);
    // nominal 100, 200, 400 ms, times the jitter factor 0.75
    assert.deepEqual(retries, [[1, 75]]);
    await timers.advance(74);
    assert.equal(sink.bodies.length, 1, 'no retry before the delay');
    await timers.advance(1);
    assert.equal(sink.bodies.length, 2);
    await timers.advance(150);
    assert.equal(sink.bodies.length, 3);
    assert.equal(p.done, false);
    await timers.advance(300);
    assert.equal(sink.bodies.length, 4);
    assert.deepEqual(retries, [
      [1, 75],
      [2, 150],
      [3, 300],
    ]);
    assert.equal(p.done, true);
    assert.deepEqual(sink.lines, ['a', 'b', 'c'], 'delivered once, whole');
    assert.equal(w.stats.failedAttempts, 3);
    assert.equal(w.stats.written, 3);
    assert.equal(w.stats.rejected, 0);
  });

  it('retries HttpError 503 the same way', async () => {
    const errors: unknown[] = [];
    const sink = new FakeSink((_b, call) => (call === 0 ? new HttpError(503, 'Service Unavailable') : 'ok'));
    const w = writer(sink, { onRetry: (e) => errors.push(e) });
    const p = track(w.write(['x', 'y', 'z']));
    await timers.advance(75);
    assert.equal(p.done, true);
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof HttpError && errors[0].statusCode === 503);
    assert.deepEqual(sink.bodies, ['x\ny\nz', 'x\ny\nz']);
  });

  it('honours Retry-After (seconds) when it is longer than the backoff', async () => {
    const delays: number[] = [];
    const sink = new FakeSink((_b, call) => (call === 0 ? new HttpError(429, 'Too Many Requests', undefined, '2') : 'ok'));
    const w = writer(sink, { onRetry: (_e, _a, d) => delays.push(d) });
    const p = track(w.write(['x', 'y', 'z']));
    await timers.advance(1999);
    assert.equal(p.done, false);
    await timers.advance(1);
    assert.equal(p.done, true);
    assert.deepEqual(delays, [2000]);
  });

  it('the delay never exceeds maxRetryDelayMs, even with a longer Retry-After', async () => {
    const delays: number[] = [];
    const sink = new FakeSink((_b, call) => (call < 6 ? (call === 5 ? new HttpError(503, 'x', undefined, '60') : econnrefused()) : 'ok'));
    const w = writer(sink, { maxRetryDelayMs: 400, onRetry: (_e, _a, d) => delays.push(d) });
    const p = w.write(['a', 'b', 'c']);
    await timers.advance(10_000);
    await p;
    // min(400, 100·2^(n-1))·0.75: 75, 150, 300, 300, 300; Retry-After 60 s is capped at 400
    assert.deepEqual(delays, [75, 150, 300, 300, 300, 400]);
  });

  it('the backoff starts over after a success', async () => {
    const delays: number[] = [];
    const sink = new FakeSink((_b, call) => (call === 0 || call === 1 || call === 3 ? econnrefused() : 'ok'));
    const w = writer(sink, { batchSize: 1, onRetry: (_e, a, d) => delays.push(a * 10_000 + d) });
    const p = w.write(['a', 'b']);
    await timers.advance(10_000);
    await p;
    assert.deepEqual(delays, [10_075, 20_150, 10_075]);
  });

  it('also retries 401, 404 and 500 (an operator can fix them; nothing is dropped)', async () => {
    for (const status of [401, 404, 500]) {
      const sink = new FakeSink((_b, call) => (call === 0 ? new HttpError(status, 'x') : 'ok'));
      const rejected: string[][] = [];
      const w = writer(sink, { onRejected: (l) => rejected.push(l) });
      const p = w.write(['a', 'b', 'c']);
      await timers.advance(1000);
      await p;
      assert.equal(sink.bodies.length, 2, String(status));
      assert.deepEqual(rejected, [], String(status));
    }
  });

  it('keeps order across retries and batches', async () => {
    let failures = 0;
    const sink = new FakeSink((_b, call) => (call % 2 === 0 && failures++ < 4 ? econnrefused() : 'ok'));
    const w = writer(sink, { batchSize: 4 });
    const input = lines(17);
    const p = w.write(input.slice(0, 9));
    w.enqueue(input.slice(9));
    await timers.advance(60_000);
    await p;
    await w.flush();
    assert.deepEqual(sink.lines, input);
    assert.equal(w.stats.written, 17);
  });
});

describe('PointWriter: refusals', () => {
  it('400: onRejected gets the batch and the error, the promise still resolves, later lines go on', async () => {
    const bad = new HttpError(400, 'Bad Request', '{"error":"partial write: field type conflict"}');
    const sink = new FakeSink((body) => (body.includes('bad') ? bad : 'ok'));
    const rejected: [string[], unknown][] = [];
    const w = writer(sink, { batchSize: 2, onRejected: (l, e) => rejected.push([l, e]) });
    await w.write(['ok1', 'bad']);
    await w.write(['ok2', 'ok3']);
    assert.deepEqual(rejected, [[['ok1', 'bad'], bad]]);
    assert.deepEqual(sink.lines, ['ok2', 'ok3']);
    assert.equal(w.stats.rejected, 2);
    assert.equal(w.stats.written, 2);
    assert.equal(w.stats.failedAttempts, 0, 'a refusal is not retried');
    assert.equal(sink.bodies.length, 2);
  });

  it('413: halves the batch until it fits, in order, and loses nothing', async () => {
    const sink = new FakeSink((body) => (body.split('\n').length > 2 ? new HttpError(413, 'Request Entity Too Large') : 'ok'));
    const w = writer(sink, { batchSize: 8 });
    await w.write(lines(8));
    // 8 -> 413, 4 -> 413, then 2 fits
    assert.deepEqual(
      sink.bodies.slice(0, 3).map((b) => b.split('\n').length),
      [8, 4, 2],
    );
    assert.ok(sink.accepted.every((b) => b.split('\n').length <= 2));
    assert.deepEqual(sink.lines, lines(8));
    assert.equal(w.stats.written, 8);
    assert.equal(w.stats.rejected, 0);
  });

  it('413 is not a failed attempt and waits for no backoff', async () => {
    const sink = new FakeSink((body) => (body.split('\n').length > 1 ? new HttpError(413, 'x') : 'ok'));
    const w = writer(sink, { batchSize: 4 });
    const p = track(w.write(lines(4)));
    await settle();
    assert.equal(p.done, true);
    assert.equal(w.stats.failedAttempts, 0);
  });
});

describe('PointWriter: flush, close, saturation', () => {
  it('flush() sends a partial batch now and resolves when it is in', async () => {
    const sink = new FakeSink();
    const w = writer(sink, { batchSize: 100, flushIntervalMs: 60_000 });
    w.enqueue(['a', 'b']);
    await w.flush();
    assert.deepEqual(sink.bodies, ['a\nb']);
    assert.equal(timers.pendingCount, 0, 'the flush-interval timer is cancelled');
  });

  it('flush() with nothing buffered resolves at once without a request', async () => {
    const sink = new FakeSink();
    const w = writer(sink);
    await w.flush();
    assert.deepEqual(sink.bodies, []);
  });

  it('flush() waits for lines being retried', async () => {
    const sink = new FakeSink((_b, call) => (call === 0 ? econnrefused() : 'ok'));
    const w = writer(sink, { batchSize: 100 });
    w.enqueue('a');
    const f = track(w.flush());
    await settle();
    assert.equal(f.done, false);
    await timers.advance(75);
    assert.equal(f.done, true);
  });

  it('close() flushes, then refuses further writes', async () => {
    const sink = new FakeSink();
    const w = writer(sink, { batchSize: 100 });
    w.enqueue(['a', 'b']);
    await w.close();
    assert.deepEqual(sink.lines, ['a', 'b']);
    assert.throws(() => w.enqueue('c'), { message: 'PointWriter is closed' });
    assert.throws(() => void w.write('c'), { message: 'PointWriter is closed' });
    assert.equal(timers.pendingCount, 0);
  });

  it('isSaturated turns true at highWaterMark buffered lines and false once written', async () => {
    const gate = deferred();
    const sink = new FakeSink(() => gate.promise);
    const w = writer(sink, { batchSize: 10, highWaterMark: 5 });
    w.enqueue(lines(4));
    assert.equal(w.isSaturated, false);
    w.enqueue('x');
    assert.equal(w.isSaturated, true);
    assert.equal(w.stats.backlog, 5);
    const f = w.flush();
    gate.resolve();
    await f;
    assert.equal(w.isSaturated, false);
    assert.equal(w.stats.backlog, 0);
  });

  it('a single string counts as one line', async () => {
    const sink = new FakeSink();
    const w = writer(sink, { batchSize: 2 });
    const p = w.write('a b=1 1');
    await settle();
    assert.deepEqual(sink.bodies, [], 'one line is not a full batch of 2');
    await timers.advance(50);
    await p;
    assert.equal(w.stats.written, 1);
    assert.deepEqual(sink.bodies, ['a b=1 1']);
  });
});
