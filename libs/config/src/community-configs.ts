import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type CommunityConfig, DeviceRegistry, parseCommunityConfig } from '#contracts';

/**
 * Reads every *.yaml / *.yml in `dir` as one community each. A missing directory is an empty
 * registry (a fresh install has no communities yet); a bad file stops with its line and field.
 */
export async function loadCommunityConfigs(dir: string): Promise<CommunityConfig[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /\.ya?ml$/i.test(n)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const configs: CommunityConfig[] = [];
  for (const name of names) {
    const path = join(dir, name);
    configs.push(parseCommunityConfig(await readFile(path, 'utf8'), path));
  }
  return configs;
}

export async function loadDeviceRegistry(dir: string): Promise<DeviceRegistry> {
  return new DeviceRegistry(await loadCommunityConfigs(dir));
}
