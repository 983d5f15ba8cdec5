import { Writable } from 'node:stream';

/**
 * What the broker writes to one connection, held back until every QoS 1 PUBLISH received on that
 * connection before it has been stored.
 *
 * Why: aedes 1.x answers a QoS 1 PUBLISH with its PUBACK first and publishes the message after
 * (lib/handlers/publish.js, `enqueuePublish`), so the PUBACK can leave before the message is
 * queued for the persistent sessions and its journal line written. A broker killed in between has
 * acknowledged a message it no longer holds, and the publisher, having its PUBACK, will not send
 * it again [MQTT-4.3.2-2]: a reading lost (test/faults.integration.test.ts, broker kill -9).
 *
 * The broker calls `received()` when it lets a QoS 1 PUBLISH through (aedes' `authorizePublish`,
 * just before aedes writes the PUBACK) and `stored(ticket)` when aedes has published it (its
 * `published` hook, which runs after the persistence has finished). Bytes written in between wait,
 * the PUBACK among them. Bytes leave in the order they were written, so acknowledgements keep the
 * order of their PUBLISHes [MQTT-4.6.0-2]; and a write waits only for messages received before
 * it, so a publisher that never pauses still gets its acknowledgements.
 *
 * The wait costs a publisher little: aedes reads a connection's next packets only once those it
 * has are published (lib/client.js, `nextBatch`), so a slow subscriber already held it up before.
 */
export class PubackGate extends Writable {
  private lastTicket = 0;
  /** The oldest ticket not yet stored; lastTicket + 1 when every one is. */
  private oldestPending = 1;
  /** Tickets not yet released, with when they came in (ms; Infinity once stored but held). */
  private readonly pending = new Map<number, number>();
  /** Chunks waiting, each for every ticket up to `after`. */
  private held: { chunk: Buffer; after: number }[] = [];
  private finish: (() => void) | undefined;
  private watchdog: ReturnType<typeof setTimeout> | undefined;

  /**
   * `onStuck`: a message has waited `stuckAfterMs` without being stored (aedes failed to publish
   * it and said nothing, or a consumer's socket never drains): the broker then closes the
   * connection, and the client sends its unacknowledged messages again on the next one, rather
   * than the connection hanging with everything held.
   */
  constructor(
    private readonly out: Writable,
    private readonly onStuck?: (waitedMs: number) => void,
    private readonly stuckAfterMs = 30_000,
  ) {
    super();
  }

  /** A QoS 1 PUBLISH came in: what is written from now on waits until it is stored. */
  received(): number {
    const ticket = ++this.lastTicket;
    this.pending.set(ticket, Date.now());
    this.watch();
    return ticket;
  }

  private watch(): void {
    if (this.watchdog || !this.onStuck) return;
    this.watchdog = setTimeout(() => {
      this.watchdog = undefined;
      const since = this.pending.get(this.oldestPending);
      if (since === undefined) return;
      const waited = Date.now() - since;
      if (waited >= this.stuckAfterMs) this.onStuck?.(waited);
      else this.watch();
    }, this.stuckAfterMs / 3);
    this.watchdog.unref();
  }

  /**
   * The message of `ticket` is stored, but its PUBACK must wait longer (the broker's queues are
   * over their budget): it is released by `stored` later, and the watchdog does not count it as
   * stuck meanwhile.
   */
  storedButHeld(ticket: number): void {
    if (this.pending.has(ticket)) this.pending.set(ticket, Number.POSITIVE_INFINITY);
  }

  /** The message of `ticket` is stored: what waited only for it (and older ones) goes out. */
  stored(ticket: number): void {
    if (!this.pending.delete(ticket)) return;
    while (this.oldestPending <= this.lastTicket && !this.pending.has(this.oldestPending)) this.oldestPending++;
    this.release();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.pending.size === 0 && this.held.length === 0) {
      // Nothing to wait for: straight through, with the socket's backpressure.
      if (this.out.write(chunk)) callback();
      else this.out.once('drain', () => callback());
      return;
    }
    // Held chunks are few (what one connection is sent in a journal write's time): no backpressure.
    this.held.push({ chunk, after: this.lastTicket });
    callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    const end = () => {
      this.out.end();
      callback();
    };
    if (this.held.length) this.finish = end;
    else end();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.watchdog) clearTimeout(this.watchdog);
    this.held = [];
    this.out.destroy(error ?? undefined);
    callback(error);
  }

  private release(): void {
    let ready = 0;
    while (ready < this.held.length && this.held[ready].after < this.oldestPending) ready++;
    if (ready) {
      this.out.cork();
      for (const { chunk } of this.held.splice(0, ready)) this.out.write(chunk);
      this.out.uncork();
    }
    if (!this.held.length && this.finish) {
      const finish = this.finish;
      this.finish = undefined;
      finish();
    }
  }
}
