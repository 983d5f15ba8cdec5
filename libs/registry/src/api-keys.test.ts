import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ENV_ADMIN_KEY_ID, apiKeyMatches, generateApiKey, hashApiKey, keyIdOf } from './api-keys.js';
import { SqliteApiKeyRepository } from './api-keys.repository.js';
import { RegistryDatabase } from './database.js';

describe('api key hashing', () => {
  it('a generated key carries its id and 256 random bits', () => {
    const { id, key } = generateApiKey();
    assert.match(key, /^gwk_[a-f0-9]{12}_[A-Za-z0-9_-]{43}$/);
    assert.equal(keyIdOf(key), id);
    assert.notEqual(generateApiKey().key, key);
    assert.equal(Buffer.from(key.split('_').slice(2).join('_'), 'base64url').length, 32);
  });

  it('salted SHA-256: known vector, different salts give different hashes', () => {
    // printf 'salt\0key' | sha256sum
    assert.equal(hashApiKey('key', 'salt').sha256, '6e5d6c6f47d14756929b54da1582bdca5677ec6d92e0a1f756e5a73dd839067c');
    const a = hashApiKey('same-key');
    const b = hashApiKey('same-key');
    assert.notEqual(a.salt, b.salt);
    assert.notEqual(a.sha256, b.sha256);
    assert.ok(apiKeyMatches('same-key', a));
    assert.ok(!apiKeyMatches('same-kez', a));
    assert.ok(!apiKeyMatches('', a));
  });

  it('keyIdOf refuses anything not in the generated format', () => {
    for (const k of ['', 'gwk_', "gwk_abcdefabcdef_' OR 1=1 --", 'Bearer x', 'gwk_ABCDEFABCDEF_' + 'a'.repeat(43)]) assert.equal(keyIdOf(k), undefined, k);
  });
});

describe('SqliteApiKeyRepository', () => {
  const repo = () => new SqliteApiKeyRepository(new RegistryDatabase(':memory:'), () => 1000);

  it('verifies a created key with its role and scope; a wrong or revoked key is nothing', () => {
    const r = repo();
    const { key, record } = r.create({ role: 'manager', communities: ['demo', 'demo', 'east'], label: 'ops' });
    assert.deepEqual(r.verify(key), { id: record.id, label: 'ops', role: 'manager', communities: ['demo', 'east'], createdAt: 1000 });
    assert.equal(r.verify(key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A')), undefined);
    assert.ok(r.revoke(record.id));
    assert.equal(r.verify(key), undefined);
    assert.equal(r.revoke(record.id), false);
  });

  it('inspector and admin keys hold no community list (they see everything)', () => {
    const r = repo();
    const { key } = r.create({ role: 'inspector', communities: ['demo'], label: 'i' });
    assert.deepEqual(r.verify(key)?.communities, []);
  });

  it('ADMIN_API_KEY: set, replaced, removed; the key is never stored in clear', () => {
    const database = new RegistryDatabase(':memory:');
    const r = new SqliteApiKeyRepository(database);
    r.setEnvAdminKey('first-admin-key-0123');
    assert.equal(r.verify('first-admin-key-0123')?.id, ENV_ADMIN_KEY_ID);
    r.setEnvAdminKey('second-admin-key-0123');
    assert.equal(r.verify('first-admin-key-0123'), undefined);
    assert.equal(r.verify('second-admin-key-0123')?.role, 'admin');
    const dump = JSON.stringify(database.db.prepare('SELECT * FROM api_keys').all());
    assert.ok(!dump.includes('second-admin-key'));
    r.setEnvAdminKey(undefined);
    assert.equal(r.verify('second-admin-key-0123'), undefined);
  });
});
