import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DeviceAddress } from '#contracts';
import type { DeviceCredentialStore } from '#storage';
import { RegistryDatabase } from './database.js';

/**
 * Device secrets in the registry (issue P4: "device secrets (hashed)"), the same scheme as
 * #storage's FileDeviceSecretStore (256-bit random secret, salted SHA-256) behind the same
 * DeviceCredentialStore interface, so the broker can switch to it without other changes.
 */
export class SqliteDeviceSecretStore implements DeviceCredentialStore {
  constructor(
    private readonly database: RegistryDatabase,
    private readonly now: () => number = Date.now,
  ) {}

  issue(device: DeviceAddress): string {
    const secret = randomBytes(32).toString('base64url');
    const salt = randomBytes(16).toString('base64url');
    this.database.db
      .prepare(
        `INSERT INTO device_secrets (community_id, device_id, device_type, salt, sha256, issued_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (community_id, device_id) DO UPDATE SET device_type = excluded.device_type, salt = excluded.salt, sha256 = excluded.sha256, issued_at = excluded.issued_at`,
      )
      .run(device.communityId, device.deviceId, device.deviceType, salt, hash(salt, secret), this.now());
    return secret;
  }

  async verify(deviceId: string, secret: string): Promise<DeviceAddress[]> {
    const rows = this.database.db.prepare('SELECT * FROM device_secrets WHERE device_id = ?').all(deviceId) as { community_id: string; device_id: string; device_type: DeviceAddress['deviceType']; salt: string; sha256: string }[];
    return rows
      .filter((r) => timingSafeEqual(Buffer.from(r.sha256, 'hex'), Buffer.from(hash(r.salt, secret), 'hex')))
      .map((r) => ({ communityId: r.community_id, deviceType: r.device_type, deviceId: r.device_id }));
  }
}

function hash(salt: string, secret: string): string {
  return createHash('sha256').update(salt).update('\0').update(secret).digest('hex');
}
