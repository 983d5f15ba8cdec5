import type { Database } from 'better-sqlite3';

/**
 * Versioned schema of the registry (DATA_DIR/greenwatch.sqlite). Migrations are numbered, run in
 * order, each in its own transaction, and recorded in `schema_migrations`; a database written by a
 * newer greenwatch (a version this code does not know) is refused rather than guessed at.
 * Never edit a released migration: add the next one.
 */
export interface Migration {
  version: number;
  name: string;
  up(db: Database): void;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'registry, api keys, alerts, notifications, attestations',
    up(db) {
      db.exec(`
        CREATE TABLE communities (
          id TEXT PRIMARY KEY,
          name TEXT NOT NULL,
          timezone TEXT NOT NULL,
          config TEXT NOT NULL,            -- the community document (contract YAML as JSON)
          source TEXT,                     -- the file it was loaded from, if any
          source_hash TEXT,                -- sha256 of that file when it was last imported
          updated_at INTEGER NOT NULL,
          updated_by TEXT NOT NULL
        );
        CREATE TABLE compounds (
          community_id TEXT NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
          id TEXT NOT NULL,
          name TEXT NOT NULL,
          property_managed INTEGER,
          parking_spaces INTEGER,
          PRIMARY KEY (community_id, id)
        );
        CREATE TABLE devices (
          community_id TEXT NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
          id TEXT NOT NULL,
          type TEXT NOT NULL,
          compound_id TEXT NOT NULL,
          config TEXT NOT NULL,
          PRIMARY KEY (community_id, id)
        );
        CREATE INDEX devices_by_id ON devices(id);

        CREATE TABLE api_keys (
          id TEXT PRIMARY KEY,
          label TEXT NOT NULL,
          role TEXT NOT NULL CHECK (role IN ('manager', 'inspector', 'admin')),
          salt TEXT NOT NULL,
          sha256 TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          revoked_at INTEGER
        );
        CREATE TABLE api_key_communities (
          key_id TEXT NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
          community_id TEXT NOT NULL,
          PRIMARY KEY (key_id, community_id)
        );

        CREATE TABLE alerts (
          alert_id TEXT PRIMARY KEY,
          community_id TEXT NOT NULL,
          rule TEXT NOT NULL,
          criterion TEXT NOT NULL,
          severity TEXT NOT NULL,
          state TEXT NOT NULL CHECK (state IN ('open', 'acknowledged', 'resolved')),
          rule_state TEXT NOT NULL CHECK (rule_state IN ('raised', 'cleared')),
          device_id TEXT,
          compound_id TEXT,
          raised_at INTEGER NOT NULL,
          rule_at INTEGER NOT NULL,        -- event time of the newest rule message applied
          updated_at INTEGER NOT NULL,
          record TEXT NOT NULL             -- the whole alert view as JSON
        );
        CREATE INDEX alerts_by_community ON alerts(community_id, raised_at);
        CREATE INDEX alerts_by_state ON alerts(state, raised_at);

        CREATE TABLE alert_history (
          id INTEGER PRIMARY KEY AUTOINCREMENT,   -- also the SSE event id: monotonic
          alert_id TEXT NOT NULL REFERENCES alerts(alert_id),
          community_id TEXT NOT NULL,
          at INTEGER NOT NULL,
          action TEXT NOT NULL,
          actor TEXT NOT NULL,
          comment TEXT,
          snapshot TEXT NOT NULL                  -- the alert view after this step
        );
        CREATE INDEX alert_history_by_alert ON alert_history(alert_id, id);
        CREATE INDEX alert_history_by_community ON alert_history(community_id, id);

        CREATE TABLE notification_policies (
          community_id TEXT PRIMARY KEY,
          policy TEXT NOT NULL,
          updated_at INTEGER NOT NULL,
          updated_by TEXT NOT NULL
        );
        -- One job per (alert event, channel): the unique key is what makes delivery exactly-once.
        CREATE TABLE notification_jobs (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          event_id INTEGER NOT NULL REFERENCES alert_history(id),
          channel_id TEXT NOT NULL,
          community_id TEXT NOT NULL,
          alert_id TEXT NOT NULL,
          channel TEXT NOT NULL,                  -- the channel's settings when the job was made
          state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'delivered', 'failed', 'suppressed')),
          attempts INTEGER NOT NULL DEFAULT 0,
          next_at INTEGER NOT NULL,
          created_at INTEGER NOT NULL,
          UNIQUE (event_id, channel_id)
        );
        CREATE INDEX notification_jobs_due ON notification_jobs(state, next_at);
        CREATE TABLE notification_deliveries (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          job_id INTEGER NOT NULL REFERENCES notification_jobs(id),
          attempt INTEGER NOT NULL,
          at INTEGER NOT NULL,
          outcome TEXT NOT NULL CHECK (outcome IN ('delivered', 'failed', 'suppressed')),
          status INTEGER,
          error TEXT,
          duration_ms INTEGER
        );
        CREATE INDEX notification_deliveries_by_job ON notification_deliveries(job_id);

        CREATE TABLE attestations (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          community_id TEXT NOT NULL,
          criterion TEXT NOT NULL,
          title TEXT NOT NULL,
          note TEXT,
          document_url TEXT,
          valid_from INTEGER,
          valid_to INTEGER,
          created_by TEXT NOT NULL,
          created_at INTEGER NOT NULL
        );
        CREATE INDEX attestations_by_community ON attestations(community_id, criterion);
      `);
    },
  },
  {
    version: 2,
    name: 'device secrets (hashed), moved from DATA_DIR/device-secrets.json',
    up(db) {
      db.exec(`
        CREATE TABLE device_secrets (
          community_id TEXT NOT NULL,
          device_id TEXT NOT NULL,
          device_type TEXT NOT NULL,
          salt TEXT NOT NULL,
          sha256 TEXT NOT NULL,
          issued_at INTEGER NOT NULL,
          PRIMARY KEY (community_id, device_id)
        );
        CREATE INDEX device_secrets_by_device ON device_secrets(device_id);
      `);
    },
  },
];

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/** Brings the database up to the newest migration; returns the versions applied now. */
export function runMigrations(db: Database, migrations: Migration[] = MIGRATIONS, now: () => number = Date.now): number[] {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const current = (db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0;
  const known = Math.max(0, ...migrations.map((m) => m.version));
  if (current > known) throw new MigrationError(`the registry database is at schema version ${current}, newer than this greenwatch knows (${known}): upgrade greenwatch, or restore a backup`);
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  sorted.forEach((m, i) => {
    if (m.version !== i + 1) throw new MigrationError(`migrations must be numbered 1, 2, 3 …; found ${m.version} at position ${i + 1}`);
  });
  const applied: number[] = [];
  for (const migration of sorted) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      migration.up(db);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(migration.version, migration.name, now());
    })();
    applied.push(migration.version);
  }
  return applied;
}

export function schemaVersion(db: Database): number {
  return (db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0;
}
