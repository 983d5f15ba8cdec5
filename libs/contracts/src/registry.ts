import type { CommunityConfig, DeviceConfig } from './community-config.js';

/** What the pipeline knows about a device from its community's configuration. */
export interface RegisteredDevice extends DeviceConfig {
  communityId: string;
}

/** Read-only lookup of configured communities and devices. */
export class DeviceRegistry {
  private readonly communities = new Map<string, CommunityConfig>();
  private readonly devices = new Map<string, RegisteredDevice>();

  constructor(configs: Iterable<CommunityConfig> = []) {
    for (const config of configs) {
      if (this.communities.has(config.id)) throw new Error(`community ${config.id} is configured twice`);
      this.communities.set(config.id, config);
      for (const device of config.devices) this.devices.set(key(config.id, device.id), { ...device, communityId: config.id });
    }
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
