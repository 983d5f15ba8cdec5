import { closeSync, existsSync, fdatasync, fsyncSync, ftruncateSync, mkdirSync, openSync, readSync, readdirSync, renameSync, unlinkSync, write, writeSync } from 'node:fs';
import { join } from 'node:path';
import { decodeOp, encodeOp } from './op-codec.js';
import { type Op, SessionStore } from './session-store.js';

/**
 * The broker's sessions on disk: a snapshot of the state (`snapshot.jsonl`) and a journal of the
 * ops since (`journal-<generation>.jsonl`), one JSON line per op.
 *
 * Group commit: ops change the in-memory state at once and their lines wait for the next turn of
 * the event loop, when everything that gathered is written with one write(2) (synchronous: into
 * the page cache it takes microseconds; with `fsync`, write and fdatasync run in the thread
 * pool instead); each op's promise resolves after that write, and the broker sends a message's
 * PUBACK only after that (./puback-gate.ts: aedes alone would send it before), so an
 * acknowledged message survives the broker being killed; with `fsync` also a power cut (one
 * fdatasync per batch).
 *
 * Compaction: when the journal outgrows `max(compactBytes, 2 × the last snapshot)`, the state is
 * written as a new snapshot (generation + 1, fsynced, renamed into place) and a new, empty journal
 * starts; the old journal is then deleted. A crash at any point leaves either the old snapshot
 * with its whole journal or the new snapshot with its own.
 */
export interface SessionJournalOptions {
  dir: string;
  /** fdatasync each batch before acknowledging it (default false: survive a crash, not a power cut). */
  fsync?: boolean;
  /** Journal size that triggers a compaction, at least (default 64 MiB). */
  compactBytes?: number;
  log?: (line: string) => void;
}

export interface SessionJournalStats {
  generation: number;
  journalBytes: number;
  snapshotBytes: number;
  /** Ops read back on open (snapshot and journal). */
  replayedOps: number;
  batches: number;
  ops: number;
  compactions: number;
}

const FORMAT = 'greenwatch-broker-sessions';
const VERSION = 1;
const SNAPSHOT = 'snapshot.jsonl';
const READ_CHUNK = 4 * 1024 * 1024;

interface Batch {
  lines: string[];
  bytes: number;
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: Error) => void;
}

export class SessionJournal {
  readonly store = new SessionStore();
  private generation = 0;
  private fd = -1;
  private journalBytes = 0;
  private snapshotBytes = 0;
  private replayedOps = 0;
  private batch: Batch | undefined;
  private writing: Promise<void> | undefined;
  private scheduled = false;
  private closed = false;
  private counts = { batches: 0, ops: 0, compactions: 0 };
  private readonly compactBytes: number;

  private constructor(private readonly options: SessionJournalOptions) {
    this.compactBytes = options.compactBytes ?? 64 * 1024 * 1024;
  }

  /**
   * Reads what an earlier run left (snapshot, then its journal), then starts a fresh generation.
   * A last journal line without its newline (a write cut short by a crash) was never acknowledged
   * and is dropped; any other unreadable line stops the broker with the file and line named,
   * rather than starting with sessions silently missing.
   */
  static open(options: SessionJournalOptions): SessionJournal {
    const journal = new SessionJournal(options);
    mkdirSync(options.dir, { recursive: true });
    const snapshotPath = join(options.dir, SNAPSHOT);
    if (existsSync(snapshotPath)) {
      let header = true;
      forEachLine(snapshotPath, (line, number, complete) => {
        if (header) {
          journal.generation = readHeader(line, snapshotPath);
          header = false;
          return;
        }
        if (!complete) throw new Error(`${snapshotPath}:${number}: the snapshot ends in the middle of a line`);
        journal.replay(line, snapshotPath, number);
      });
    }
    const journalPath = journal.journalPath(journal.generation);
    if (existsSync(journalPath)) {
      forEachLine(journalPath, (line, number, complete) => {
        if (!complete) {
          options.log?.(`${journalPath}:${number}: dropped a line cut short by a crash (it was never acknowledged)`);
          return;
        }
        journal.replay(line, journalPath, number);
      });
    }
    journal.store.forgetPacketIds();
    journal.compact();
    for (const name of readdirSync(options.dir)) {
      if ((/^journal-\d+\.jsonl$/.test(name) && name !== `journal-${journal.generation}.jsonl`) || name.endsWith('.tmp')) unlinkSync(join(options.dir, name));
    }
    return journal;
  }

  /** Applies `op` to the state now; resolves once its line is written (with the rest of its batch). */
  commit(op: Op): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the session journal is closed'));
    this.store.apply(op);
    const line = encodeOp(op);
    const batch = (this.batch ??= newBatch());
    batch.lines.push(line);
    batch.bytes += line.length + 1;
    this.counts.ops++;
    if (!this.scheduled && !this.writing) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    return batch.promise;
  }

  get stats(): SessionJournalStats {
    return { generation: this.generation, journalBytes: this.journalBytes, snapshotBytes: this.snapshotBytes, replayedOps: this.replayedOps, ...this.counts };
  }

  /** Writes what is pending, then closes the file (synced). Ops after this are refused. */
  async close(): Promise<void> {
    while (this.writing || this.batch) {
      if (this.writing) await this.writing;
      else this.flush();
    }
    this.closed = true;
    if (this.fd >= 0) {
      fsyncSync(this.fd);
      closeSync(this.fd);
      this.fd = -1;
    }
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.batch;
    if (!batch || this.writing) return;
    this.batch = undefined;
    this.counts.batches++;
    if (this.journalBytes + batch.bytes > Math.max(this.compactBytes, 2 * this.snapshotBytes)) {
      // The state already holds this batch's ops: the snapshot makes them durable.
      try {
        this.compact();
        batch.resolve();
      } catch (error) {
        batch.reject(asError(error));
      }
      return;
    }
    const data = Buffer.from(`${batch.lines.join('\n')}\n`, 'utf8');
    if (!this.options.fsync) {
      // write(2) into the page cache takes microseconds: done here, the batch's PUBACKs can leave
      // in this same turn (the thread pool's round trip would add a turn to every one of them).
      try {
        writeAllSync(this.fd, data);
        this.journalBytes += data.length;
        batch.resolve();
      } catch (error) {
        this.failed(batch, error);
      }
      return;
    }
    this.writing = writeAndSync(this.fd, data).then(
      () => {
        this.journalBytes += data.length;
        batch.resolve();
      },
      (error: unknown) => this.failed(batch, error),
    );
    void this.writing.then(() => {
      this.writing = undefined;
      if (this.batch && !this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /**
   * A write failed (disk full, I/O error): its ops are refused (aedes errors the publish, so no
   * PUBACK) and the file is cut back to its last whole batch, so that a later batch does not
   * follow half a line.
   */
  private failed(batch: Batch, error: unknown): void {
    this.options.log?.(`session journal: write failed: ${asError(error).message}`);
    try {
      ftruncateSync(this.fd, this.journalBytes);
    } catch {
      // the next write will fail too, and say so
    }
    batch.reject(asError(error));
  }

  /** Snapshot of the whole state as generation + 1, then an empty journal for it. Synchronous. */
  private compact(): void {
    const next = this.generation + 1;
    const tmp = join(this.options.dir, `${SNAPSHOT}.tmp`);
    const out = openSync(tmp, 'w');
    let bytes = 0;
    try {
      let chunk = `${JSON.stringify({ format: FORMAT, version: VERSION, generation: next })}\n`;
      for (const op of this.store.ops()) {
        chunk += `${encodeOp(op)}\n`;
        if (chunk.length >= READ_CHUNK) {
          bytes += writeString(out, chunk);
          chunk = '';
        }
      }
      bytes += writeString(out, chunk);
      fsyncSync(out);
    } finally {
      closeSync(out);
    }
    // Appending (O_APPEND): after a failed write is cut back, the next one lands at the true end.
    const nextPath = this.journalPath(next);
    if (existsSync(nextPath)) unlinkSync(nextPath);
    const fd = openSync(nextPath, 'a');
    renameSync(tmp, join(this.options.dir, SNAPSHOT));
    syncDir(this.options.dir);
    if (this.fd >= 0) closeSync(this.fd);
    const previous = this.journalPath(this.generation);
    if (existsSync(previous)) unlinkSync(previous);
    this.fd = fd;
    this.generation = next;
    this.journalBytes = 0;
    this.snapshotBytes = bytes;
    this.counts.compactions++;
  }

  private replay(line: string, path: string, number: number): void {
    if (!line) return;
    let op: Op;
    try {
      op = decodeOp(line);
    } catch (error) {
      throw new Error(`${path}:${number}: unreadable broker session line (${asError(error).message}); move the file away to start without it`);
    }
    this.store.apply(op);
    this.replayedOps++;
  }

  private journalPath(generation: number): string {
    return join(this.options.dir, `journal-${generation}.jsonl`);
  }
}

function newBatch(): Batch {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A batch nobody awaits must not become an unhandled rejection; awaiting callers still see it.
  promise.catch(() => undefined);
  return { lines: [], bytes: 0, promise, resolve, reject };
}

function readHeader(line: string, path: string): number {
  let header: { format?: unknown; version?: unknown; generation?: unknown };
  try {
    header = JSON.parse(line) as typeof header;
  } catch {
    throw new Error(`${path}:1: not a greenwatch broker session snapshot`);
  }
  if (header.format !== FORMAT || typeof header.generation !== 'number') throw new Error(`${path}:1: not a greenwatch broker session snapshot`);
  if (header.version !== VERSION) throw new Error(`${path}:1: broker session format version ${String(header.version)}, this broker reads version ${VERSION}`);
  return header.generation;
}

/** Calls `fn` for each line of a file, reading it in chunks (snapshots can outgrow a string). */
function forEachLine(path: string, fn: (line: string, number: number, complete: boolean) => void): void {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(READ_CHUNK);
    let rest = '';
    let number = 0;
    let position = 0;
    for (;;) {
      const read = readSync(fd, buffer, 0, buffer.length, position);
      if (read === 0) break;
      position += read;
      const text = rest + buffer.toString('utf8', 0, read);
      const lines = text.split('\n');
      rest = lines.pop()!;
      for (const line of lines) fn(line, ++number, true);
    }
    if (rest) fn(rest, ++number, false);
  } finally {
    closeSync(fd);
  }
}

/** write(2) in the thread pool, then fdatasync: for MQTT_PERSISTENCE_FSYNC, off the event loop. */
function writeAndSync(fd: number, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const from = (offset: number) =>
      write(fd, data, offset, data.length - offset, null, (error, written) => {
        if (error) return reject(error);
        if (offset + written < data.length) return from(offset + written);
        fdatasync(fd, (syncError) => (syncError ? reject(syncError) : resolve()));
      });
    from(0);
  });
}

/** write(2) until all of `data` is in (a write may take less than it was given). */
function writeAllSync(fd: number, data: Buffer): number {
  for (let offset = 0; offset < data.length; ) offset += writeSync(fd, data, offset, data.length - offset);
  return data.length;
}

function writeString(fd: number, text: string): number {
  return writeAllSync(fd, Buffer.from(text, 'utf8'));
}

function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

