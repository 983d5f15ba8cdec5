import type { CommunityConfig, DeviceConfig } from './community-config.js';

/** What the pipeline knows about a device from its community's configuration. */
export interface RegisteredDevice extends DeviceConfig {
  communityId: string;
}

/** Lookup of configured communities and devices; `put` brings a community's new configuration in. */
export class DeviceRegistry {
  private readonly communities = new Map<string, CommunityConfig>();
  private readonly devices = new Map<string, RegisteredDevice>();

  constructor(configs: Iterable<CommunityConfig> = []) {
    for (const config of configs) {
      if (this.communities.has(config.id)) throw new Error(`community ${config.id} is configured twice`);
      this.put(config);
    }
  }

  /** Adds a community or replaces its configuration (devices it no longer lists are forgotten). */
  put(config: CommunityConfig): void {
    const before = this.communities.get(config.id);
    if (before) for (const device of before.devices) this.devices.delete(key(config.id, device.id));
    this.communities.set(config.id, config);
    for (const device of config.devices) this.devices.set(key(config.id, device.id), { ...device, communityId: config.id });
  }

  community(communityId: string): CommunityConfig | undefined {
    return this.communities.get(communityId);
  }

  device(communityId: string, deviceId: string): RegisteredDevice | undefined {
    return this.devices.get(key(communityId, deviceId));
  }

  allCommunities(): CommunityConfig[] {
    return [...this.communities.values()];
  }

  get size(): number {
    return this.devices.size;
  }
}

function key(communityId: string, deviceId: string): string {
  return `${communityId}/${deviceId}`;
}
