import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { MIGRATIONS, MigrationError, runMigrations, schemaVersion } from './migrations.js';
import { RegistryDatabase } from './database.js';

const tables = (db: BetterSqlite3.Database) => (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);

describe('runMigrations', () => {
  it('applies every migration once, in order, and records each', () => {
    const db = new BetterSqlite3(':memory:');
    assert.deepEqual(runMigrations(db, MIGRATIONS, () => 42), MIGRATIONS.map((m) => m.version));
    assert.equal(schemaVersion(db), MIGRATIONS.length);
    assert.deepEqual(runMigrations(db), []);
    const rows = db.prepare('SELECT version, applied_at FROM schema_migrations ORDER BY version').all();
    assert.deepEqual(rows, MIGRATIONS.map((m) => ({ version: m.version, applied_at: 42 })));
    for (const t of ['alerts', 'alert_history', 'api_keys', 'communities', 'devices', 'notification_jobs', 'notification_deliveries', 'attestations', 'device_secrets']) assert.ok(tables(db).includes(t), t);
  });

  it('upgrades a database at version 1 to the newest, keeping its rows', () => {
    const db = new BetterSqlite3(':memory:');
    runMigrations(db, MIGRATIONS.slice(0, 1));
    db.prepare("INSERT INTO attestations (community_id, criterion, title, created_by, created_at) VALUES ('demo', '1', 't', 'x', 1)").run();
    assert.deepEqual(runMigrations(db), [2]);
    assert.equal((db.prepare('SELECT count(*) AS n FROM attestations').get() as { n: number }).n, 1);
  });

  it('a failing migration leaves the schema at the previous version', () => {
    const db = new BetterSqlite3(':memory:');
    const broken = [MIGRATIONS[0], { version: 2, name: 'broken', up: (d: BetterSqlite3.Database) => d.exec('CREATE TABLE half (x); SELECT * FROM no_such_table') }];
    assert.throws(() => runMigrations(db, broken), /no such table/);
    assert.equal(schemaVersion(db), 1);
    assert.ok(!tables(db).includes('half'));
  });

  it('refuses a database newer than the code, and gaps in the numbering', () => {
    const db = new BetterSqlite3(':memory:');
    runMigrations(db);
    db.prepare("INSERT INTO schema_migrations VALUES (99, 'future', 0)").run();
    assert.throws(() => runMigrations(db), (e: unknown) => e instanceof MigrationError && /version 99, newer/.test(e.message));
    assert.throws(() => runMigrations(new BetterSqlite3(':memory:'), [MIGRATIONS[1]]), /numbered 1, 2, 3/);
  });
});

describe('RegistryDatabase', () => {
  it('opens in WAL mode with foreign keys on', () => {
    const r = new RegistryDatabase(':memory:');
    assert.equal(r.db.pragma('foreign_keys', { simple: true }), 1);
    assert.ok(r.ping());
    r.close();
    assert.equal(r.ping(), false);
  });
});
