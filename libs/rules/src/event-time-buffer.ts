/**
 * Puts messages back in event-time order within a bounded lateness (default 2 minutes), per
 * community. The clock is the newest `ts` seen; the watermark is clock − lateness. Messages at
 * or before the watermark are released in `ts` order (ties in arrival order); a message that
 * arrives older than what has been released is late: ingest stores it, the rules ignore it.
 *
 * The price is latency: a message is judged once the community's clock is `lateness` past it.
 * The gain is that every rule sees each device's messages in order, so the same data gives the
 * same alerts however the network shuffled it, live or replayed at any speed.
 */
export interface Timed {
  ts: number;
}

export class EventTimeBuffer<T extends Timed> {
  private items: T[] = [];
  /** Items before this index are released; compacted once they are half the array. */
  private head = 0;
  /** Newest event time seen. */
  clock = -Infinity;
  /** Everything at or before this has been released. */
  watermark = -Infinity;

  constructor(readonly latenessMs: number) {}

  /** Buffers a message; false when it is late (older than the watermark). */
  push(item: T): boolean {
    if (item.ts < this.watermark) return false;
    if (item.ts > this.clock) this.clock = item.ts;
    // Mostly in order: walk back from the end to the insertion point (stable for equal ts).
    let i = this.items.length;
    while (i > this.head && this.items[i - 1].ts > item.ts) i--;
    if (i === this.items.length) this.items.push(item);
    else this.items.splice(i, 0, item);
    return true;
  }

  /** Releases what the watermark has passed, oldest first. */
  release(): T[] {
    const watermark = this.clock - this.latenessMs;
    if (watermark > this.watermark) this.watermark = watermark;
    let n = this.head;
    while (n < this.items.length && this.items[n].ts <= this.watermark) n++;
    if (n === this.head) return [];
    const released = this.items.slice(this.head, n);
    this.head = n;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return released;
  }

  /** Releases everything (end of a replay) and moves the watermark to the clock. */
  drain(): T[] {
    if (this.clock > this.watermark) this.watermark = this.clock;
    const all = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return all;
  }

  get size(): number {
    return this.items.length - this.head;
  }

  /** For snapshots. */
  toJSON(): { clock: number | null; watermark: number | null; items: T[] } {
    return { clock: Number.isFinite(this.clock) ? this.clock : null, watermark: Number.isFinite(this.watermark) ? this.watermark : null, items: this.items.slice(this.head) };
  }

  static from<T extends Timed>(latenessMs: number, saved: { clock: number | null; watermark: number | null; items: T[] }): EventTimeBuffer<T> {
    const b = new EventTimeBuffer<T>(latenessMs);
    b.clock = saved.clock ?? -Infinity;
    b.watermark = saved.watermark ?? -Infinity;
    b.items = [...saved.items].sort((x, y) => x.ts - y.ts);
    return b;
  }
}
