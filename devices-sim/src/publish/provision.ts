import { join } from 'node:path';
import { FileDeviceSecretStore } from '#storage';
import type { DeviceAddress } from '#contracts';

/** How each device logs in to the broker. */
export type DeviceCredentials = (device: DeviceAddress) => { username?: string; password?: string };

/**
 * Issues a fresh secret for every device into DATA_DIR/device-secrets.json, the store the
 * embedded broker checks (contract: username = deviceId, password = its secret), the way an
 * installer provisions real devices. Secrets are stored hashed, so each run issues new ones;
 * a real device with the same id in the same community would need its secret issued again.
 */
export async function provisionDevices(devices: readonly DeviceAddress[], dataDir: string): Promise<DeviceCredentials> {
  const store = new FileDeviceSecretStore(join(dataDir, 'device-secrets.json'));
  const secrets = new Map<string, string>();
  for (const d of devices) secrets.set(key(d), await store.issue({ communityId: d.communityId, deviceType: d.deviceType, deviceId: d.deviceId }));
  return (d) => ({ username: d.deviceId, password: secrets.get(key(d)) });
}

/** Every device with no credentials (a broker with MQTT_ALLOW_ANONYMOUS=true). */
export const anonymousDevices: DeviceCredentials = () => ({});

/** Every device with one shared account (a development broker with a single user). */
export function sharedAccount(username: string, password: string): DeviceCredentials {
  return () => ({ username, password });
}

function key(d: DeviceAddress): string {
  return `${d.communityId}/${d.deviceId}`;
}
