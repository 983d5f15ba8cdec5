import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys (contract: `Authorization: Bearer <key>`). A generated key is `gwk_<id>_<secret>`: the
 * id finds the row, the 256-bit secret proves possession. Only a salted SHA-256 of the whole key
 * is stored: the secret is random, so a slow password KDF would add nothing but latency.
 * ADMIN_API_KEY is any string of 16+ characters chosen by the operator; it is stored the same
 * way under the fixed id ENV_ADMIN_KEY_ID and found by trying that row when the key has no id.
 */
export const API_ROLES = ['manager', 'inspector', 'admin'] as const;
export type ApiRole = (typeof API_ROLES)[number];

export const ENV_ADMIN_KEY_ID = 'env-admin';
const KEY_FORMAT = /^gwk_([a-f0-9]{12})_([A-Za-z0-9_-]{43})$/;

export interface StoredKeyHash {
  salt: string;
  sha256: string;
}

export function generateApiKey(random: (n: number) => Buffer = randomBytes): { id: string; key: string } {
  const id = random(6).toString('hex');
  return { id, key: `gwk_${id}_${random(32).toString('base64url')}` };
}

/** The id inside a generated key, or undefined for any other string (ADMIN_API_KEY, garbage). */
export function keyIdOf(key: string): string | undefined {
  return KEY_FORMAT.exec(key)?.[1];
}

export function hashApiKey(key: string, salt: string = randomBytes(16).toString('base64url')): StoredKeyHash {
  return { salt, sha256: createHash('sha256').update(salt).update('\0').update(key).digest('hex') };
}

/** Constant-time comparison of a presented key with a stored hash. */
export function apiKeyMatches(key: string, stored: StoredKeyHash): boolean {
  const expected = Buffer.from(stored.sha256, 'hex');
  const actual = Buffer.from(hashApiKey(key, stored.salt).sha256, 'hex');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
