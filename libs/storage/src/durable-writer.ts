import { LineJournal, readSegmentLines } from './line-journal.js';
import type { PointWriter } from './point-writer.js';

/**
 * Nothing lost between a broker's acknowledgement and InfluxDB: every accepted line goes to the
 * on-disk journal first (synchronously), then to the PointWriter's memory queue. While InfluxDB is
 * slow or away and the memory queue is full, lines go to the journal only ("spilling"), and are
 * read back in order as the queue drains. Journal segments are deleted once InfluxDB has all their
 * lines; on start, what an earlier run left is written first (InfluxDB overwrites a point with the
 * same series and time, so a line written twice is stored once).
 *
 * When the journal outgrows its disk budget, `overBudget` turns true: the caller stops
 * acknowledging, so publishers and the broker keep the data instead of us dropping it.
 */
export interface DurableWriterOptions {
  journalDir: string;
  /** Lines held in memory before spilling to disk only. */
  memoryLines: number;
  diskBudgetBytes: number;
  segmentLines?: number;
  /** How often to move spilled lines back into memory and delete finished segments. */
  pumpIntervalMs?: number;
}

export interface DurableWriterStats {
  journalBytes: number;
  journalSegments: number;
  /** Lines accepted but not yet in InfluxDB (memory and disk). */
  backlog: number;
  spilling: boolean;
  overBudget: boolean;
  recovered: number;
}

export class DurableLineWriter {
  private readonly journal: LineJournal;
  /** Journal lines handed to the PointWriter so far (they are numbered in journal order). */
  private loaded = 0;
  private spilling: boolean;
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly recoveredLines: number;
  private readonly budgetListeners: (() => void)[] = [];

  constructor(
    private readonly writer: PointWriter,
    private readonly options: DurableWriterOptions,
  ) {
    const { journal, recovered } = LineJournal.open({ dir: options.journalDir, segmentLines: options.segmentLines });
    this.journal = journal;
    this.recoveredLines = recovered.reduce((n, s) => n + (s.end - s.first), 0);
    this.spilling = recovered.length > 0;
    this.timer = setInterval(() => this.pump(), options.pumpIntervalMs ?? 50);
    this.timer.unref();
    this.pump();
  }

  /** Journals one line (durable when this returns) and queues it for InfluxDB. */
  accept(line: string): void {
    if (!this.spilling && this.writer.stats.backlog >= this.options.memoryLines) {
      // From here on lines wait on disk; a fresh segment keeps segments either wholly in memory
      // or wholly on disk, so reading back is a matter of whole files.
      this.spilling = true;
      this.journal.rotate();
    }
    const number = this.journal.append(line);
    if (!this.spilling) {
      this.writer.enqueue(line);
      this.loaded = number + 1;
    }
  }

  get overBudget(): boolean {
    return this.journal.bytes > this.options.diskBudgetBytes;
  }

  /** Calls `listener` once the journal is back under its budget. */
  onceUnderBudget(listener: () => void): void {
    if (!this.overBudget) return listener();
    this.budgetListeners.push(listener);
  }

  get stats(): DurableWriterStats {
    return {
      journalBytes: this.journal.bytes,
      journalSegments: this.journal.segmentCount,
      backlog: this.journal.size - this.writer.completed,
      spilling: this.spilling,
      overBudget: this.overBudget,
      recovered: this.recoveredLines,
    };
  }

  /** Writes what is in memory (for at most `timeoutMs`), then closes the journal. What is not in
   * InfluxDB by then stays in the journal for the next start. */
  async close(timeoutMs = 5_000): Promise<void> {
    clearInterval(this.timer);
    await this.writer.close(timeoutMs);
    this.journal.release(this.writer.completed);
    this.journal.close();
  }

  /** Deletes finished segments; while spilling, reads segments back as memory frees up. */
  pump(): void {
    this.journal.release(this.writer.completed);
    if (this.spilling) {
      const room = () => this.writer.stats.backlog < this.options.memoryLines / 2;
      while (this.spilling && room()) {
        const [next] = this.journal.closedSegmentsFrom(this.loaded);
        if (next) {
          if (next.first !== this.loaded) throw new Error(`journal: expected segment starting at line ${this.loaded}, found ${next.first}`);
          const lines = readSegmentLines(next.path);
          this.writer.enqueue(lines);
          this.loaded = next.end;
        } else if (this.journal.size > this.loaded) {
          this.journal.rotate(); // the rest is in the current segment: close it, read it next turn
        } else {
          this.spilling = false;
        }
      }
    }
    if (this.budgetListeners.length && !this.overBudget) for (const listener of this.budgetListeners.splice(0)) listener();
  }
}
