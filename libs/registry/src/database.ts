import BetterSqlite3, { type Database } from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runMigrations } from './migrations.js';

/**
 * The one SQLite connection of a process (better-sqlite3: synchronous, so a transaction is a plain
 * function call and nothing interleaves inside it). WAL lets readers (the CLI, a backup) work
 * beside the api; foreign keys are on; a busy database is waited for, not failed.
 * Nothing outside libs/registry imports better-sqlite3.
 */
export class RegistryDatabase {
  readonly db: Database;

  constructor(readonly path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new BetterSqlite3(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('synchronous = NORMAL');
    runMigrations(this.db);
  }

  static inDataDir(dataDir: string): RegistryDatabase {
    return new RegistryDatabase(join(dataDir, 'greenwatch.sqlite'));
  }

  /** Runs `fn` in one transaction (nested calls become savepoints). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** True when the database answers. */
  ping(): boolean {
    try {
      return (this.db.prepare('SELECT 1 AS one').get() as { one: number }).one === 1;
    } catch {
      return false;
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
