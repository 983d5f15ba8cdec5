import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DeviceAddress } from '#contracts';

/**
 * Device secrets for broker authentication (contract: username = deviceId, password = secret).
 *
 * Secrets are 256-bit random tokens made here, so they are stored as salted SHA-256: a slow
 * password KDF protects low-entropy human passwords and would only make a reconnect storm of
 * thousands of devices CPU-bound. The file (DATA_DIR/device-secrets.json, mode 0600) is replaced
 * atomically and re-read when it changes, so a secret issued by the CLI works at once.
 * (P4 moves this into the SQLite registry behind the same interface.)
 */
export interface DeviceSecretEntry extends DeviceAddress {
  salt: string;
  sha256: string;
  issuedAt: string;
}

export interface DeviceCredentialStore {
  /** The devices whose id is `deviceId` and whose secret is `secret` (ids are unique per community only). */
  verify(deviceId: string, secret: string): Promise<DeviceAddress[]>;
}

export class FileDeviceSecretStore implements DeviceCredentialStore {
  private entries: DeviceSecretEntry[] = [];
  private loadedMtimeMs = -1;
  /** issue() calls run one after another: each rewrites the whole file. */
  private issuing: Promise<unknown> = Promise.resolve();

  constructor(readonly path: string) {}

  /** Issues a new secret for a device, replacing any earlier one, and returns it (shown once). */
  issue(device: DeviceAddress): Promise<string> {
    const run = this.issuing.then(() => this.issueNow(device));
    this.issuing = run.catch(() => undefined);
    return run;
  }

  private async issueNow(device: DeviceAddress): Promise<string> {
    await this.reload();
    const secret = randomBytes(32).toString('base64url');
    const salt = randomBytes(16).toString('base64url');
    const entry: DeviceSecretEntry = { ...device, salt, sha256: hash(salt, secret), issuedAt: new Date().toISOString() };
    this.entries = [...this.entries.filter((e) => !(e.communityId === device.communityId && e.deviceId === device.deviceId)), entry];
    await mkdir(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, `${JSON.stringify({ version: 1, devices: this.entries }, null, 2)}\n`, { mode: 0o600 });
    await rename(tmp, this.path);
    this.loadedMtimeMs = (await stat(this.path)).mtimeMs;
    return secret;
  }

  async verify(deviceId: string, secret: string): Promise<DeviceAddress[]> {
    await this.reload();
    const matches: DeviceAddress[] = [];
    for (const e of this.entries) {
      if (e.deviceId !== deviceId) continue;
      const expected = Buffer.from(e.sha256, 'hex');
      const actual = Buffer.from(hash(e.salt, secret), 'hex');
      if (timingSafeEqual(expected, actual)) matches.push({ communityId: e.communityId, deviceType: e.deviceType, deviceId: e.deviceId });
    }
    return matches;
  }

  private async reload(): Promise<void> {
    let mtimeMs: number;
    try {
      mtimeMs = (await stat(this.path)).mtimeMs;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.entries = [];
      this.loadedMtimeMs = -1;
      return;
    }
    if (mtimeMs === this.loadedMtimeMs) return;
    const parsed = JSON.parse(await readFile(this.path, 'utf8')) as { devices?: DeviceSecretEntry[] };
    this.entries = parsed.devices ?? [];
    this.loadedMtimeMs = mtimeMs;
  }
}

function hash(salt: string, secret: string): string {
  return createHash('sha256').update(salt).update('\0').update(secret).digest('hex');
}
