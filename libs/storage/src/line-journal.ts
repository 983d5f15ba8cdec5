import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * An append-only journal of line-protocol lines in numbered segment files
 * (DATA_DIR/ingest-journal/000000000001.lp, ...). A line is appended with one write(2) before its
 * message is acknowledged to the broker, so once acknowledged it survives the ingest process
 * being killed (the kernel holds it; `fsync` is left to the OS, see `syncEvery`). Segments whose
 * lines are all in InfluxDB are deleted.
 *
 * Lines are numbered from 0 in the order they were appended (replayed lines of earlier runs come
 * first); `Segment.first`/`end` are such numbers.
 */
export interface Segment {
  id: number;
  path: string;
  /** Number of the segment's first line. */
  first: number;
  /** One past its last line. */
  end: number;
  bytes: number;
}

export interface LineJournalOptions {
  dir: string;
  /** A new segment starts after this many lines. */
  segmentLines?: number;
}

export class LineJournal {
  private readonly segments: Segment[] = [];
  private current: { segment: Segment; fd: number } | undefined;
  private nextLine = 0;
  private nextId = 1;
  private totalBytes = 0;
  private readonly segmentLines: number;

  private constructor(private readonly options: LineJournalOptions) {
    this.segmentLines = options.segmentLines ?? 50_000;
  }

  /**
   * Opens the journal, taking over the segments an earlier run left (lines not known to be in
   * InfluxDB). A last line without its newline (cut off by a crash) is dropped: it was never
   * acknowledged.
   */
  static open(options: LineJournalOptions): { journal: LineJournal; recovered: Segment[] } {
    const journal = new LineJournal(options);
    mkdirSync(options.dir, { recursive: true });
    const names = readdirSync(options.dir)
      .filter((n) => /^\d{12}\.lp$/.test(n))
      .sort();
    for (const name of names) {
      const path = join(options.dir, name);
      const lines = readSegmentLines(path).length;
      const id = Number(name.slice(0, 12));
      const bytes = statSync(path).size;
      if (lines === 0) {
        unlinkSync(path);
        continue;
      }
      journal.segments.push({ id, path, first: journal.nextLine, end: journal.nextLine + lines, bytes });
      journal.nextLine += lines;
      journal.totalBytes += bytes;
      journal.nextId = Math.max(journal.nextId, id + 1);
    }
    return { journal, recovered: [...journal.segments] };
  }

  /** Appends one line; returns its number. */
  append(line: string): number {
    if (!this.current || this.current.segment.end - this.current.segment.first >= this.segmentLines) this.rotate();
    const current = this.current!;
    const data = `${line}\n`;
    const written = writeSync(current.fd, data);
    const bytes = Buffer.byteLength(data);
    if (written !== bytes) throw new Error(`journal: short write (${written} of ${bytes} bytes)`);
    current.segment.end += 1;
    current.segment.bytes += bytes;
    this.totalBytes += bytes;
    return this.nextLine++;
  }

  /** Closes the current segment so that it can be read whole; the next append opens a new one. */
  rotate(): void {
    if (this.current) {
      closeSync(this.current.fd);
      this.current = undefined;
    }
    const id = this.nextId++;
    const path = join(this.options.dir, `${String(id).padStart(12, '0')}.lp`);
    const segment: Segment = { id, path, first: this.nextLine, end: this.nextLine, bytes: 0 };
    this.segments.push(segment);
    this.current = { segment, fd: openSync(path, 'a') };
  }

  /** Deletes every closed segment whose lines are all below `doneUpTo`. */
  release(doneUpTo: number): void {
    while (this.segments.length && this.segments[0].end <= doneUpTo && this.segments[0] !== this.current?.segment) {
      const segment = this.segments.shift()!;
      unlinkSync(segment.path);
      this.totalBytes -= segment.bytes;
    }
  }

  /** The closed segments holding lines at or after `from`, oldest first. */
  closedSegmentsFrom(from: number): Segment[] {
    return this.segments.filter((s) => s.end > from && s !== this.current?.segment);
  }

  isCurrent(segment: Segment): boolean {
    return this.current?.segment === segment;
  }

  /** Flushes the current segment to the disk itself (for a clean shutdown). */
  sync(): void {
    if (this.current) fsyncSync(this.current.fd);
  }

  close(): void {
    if (this.current) {
      fsyncSync(this.current.fd);
      closeSync(this.current.fd);
      this.current = undefined;
    }
  }

  get bytes(): number {
    return this.totalBytes;
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  /** Number the next appended line will get. */
  get size(): number {
    return this.nextLine;
  }
}

/** The complete lines of a segment file. */
export function readSegmentLines(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  lines.pop(); // the part after the last newline: empty, or a line cut off by a crash
  return lines;
}
