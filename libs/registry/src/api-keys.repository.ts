import { Injectable } from '@nestjs/common';
import { type ApiRole, ENV_ADMIN_KEY_ID, apiKeyMatches, generateApiKey, hashApiKey, keyIdOf } from './api-keys.js';
import { RegistryDatabase } from './database.js';

export interface ApiKeyRecord {
  id: string;
  label: string;
  role: ApiRole;
  /** Communities a manager may read and act on (empty for inspector and admin: they see all). */
  communities: string[];
  createdAt: number;
  revokedAt?: number;
}

/** API keys and their scope. A server database can implement the same interface. */
export abstract class ApiKeyRepository {
  /** Creates a key; the returned `key` is the only time it is ever seen. */
  abstract create(input: { role: ApiRole; communities: string[]; label: string }): { key: string; record: ApiKeyRecord };
  /** Makes ADMIN_API_KEY the env admin key (or removes it when undefined). */
  abstract setEnvAdminKey(key: string | undefined): void;
  /** The live (not revoked) key record for a presented key, or undefined. */
  abstract verify(key: string): ApiKeyRecord | undefined;
  abstract list(): ApiKeyRecord[];
  abstract revoke(id: string): boolean;
}

interface Row {
  id: string;
  label: string;
  role: ApiRole;
  salt: string;
  sha256: string;
  created_at: number;
  revoked_at: number | null;
}

@Injectable()
export class SqliteApiKeyRepository extends ApiKeyRepository {
  constructor(
    private readonly database: RegistryDatabase,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  private get db() {
    return this.database.db;
  }

  create(input: { role: ApiRole; communities: string[]; label: string }) {
    const { id, key } = generateApiKey();
    this.insert(id, key, input);
    return { key, record: this.byId(id)! };
  }

  setEnvAdminKey(key: string | undefined): void {
    this.database.transaction(() => {
      this.db.prepare('DELETE FROM api_keys WHERE id = ?').run(ENV_ADMIN_KEY_ID);
      if (key !== undefined) this.insert(ENV_ADMIN_KEY_ID, key, { role: 'admin', communities: [], label: 'ADMIN_API_KEY' });
    });
  }

  verify(key: string): ApiKeyRecord | undefined {
    if (key.length > 512) return undefined;
    const row = this.db.prepare('SELECT * FROM api_keys WHERE id = ?').get(keyIdOf(key) ?? ENV_ADMIN_KEY_ID) as Row | undefined;
    if (!row || row.revoked_at !== null || !apiKeyMatches(key, row)) return undefined;
    return this.toRecord(row);
  }

  list(): ApiKeyRecord[] {
    return (this.db.prepare('SELECT * FROM api_keys ORDER BY created_at, id').all() as Row[]).map((r) => this.toRecord(r));
  }

  revoke(id: string): boolean {
    return this.db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(this.now(), id).changes === 1;
  }

  private insert(id: string, key: string, input: { role: ApiRole; communities: string[]; label: string }): void {
    const { salt, sha256 } = hashApiKey(key);
    this.database.transaction(() => {
      this.db.prepare('INSERT INTO api_keys (id, label, role, salt, sha256, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(id, input.label, input.role, salt, sha256, this.now());
      const scope = this.db.prepare('INSERT INTO api_key_communities (key_id, community_id) VALUES (?, ?)');
      for (const c of new Set(input.role === 'manager' ? input.communities : [])) scope.run(id, c);
    });
  }

  private byId(id: string): ApiKeyRecord | undefined {
    const row = this.db.prepare('SELECT * FROM api_keys WHERE id = ?').get(id) as Row | undefined;
    return row && this.toRecord(row);
  }

  private toRecord(row: Row): ApiKeyRecord {
    const communities = (this.db.prepare('SELECT community_id FROM api_key_communities WHERE key_id = ? ORDER BY community_id').all(row.id) as { community_id: string }[]).map((r) => r.community_id);
    const record: ApiKeyRecord = { id: row.id, label: row.label, role: row.role, communities, createdAt: row.created_at };
    if (row.revoked_at !== null) record.revokedAt = row.revoked_at;
    return record;
  }
}
