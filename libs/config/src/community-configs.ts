import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import { type CommunityConfig, DeviceRegistry, parseCommunityConfig } from '#contracts';

/**
 * The community files in `dir` (every *.yaml / *.yml, one community each), as paths in name
 * order; undefined when the directory does not exist (a fresh install has no communities yet).
 */
export async function communityFiles(dir: string): Promise<string[] | undefined> {
  try {
    return (await readdir(dir))
      .filter((n) => /\.ya?ml$/i.test(n))
      .sort()
      .map((n) => join(dir, n));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Reads every community file in `dir`; a bad file stops with its line and field. */
export async function loadCommunityConfigs(dir: string): Promise<CommunityConfig[]> {
  const configs: CommunityConfig[] = [];
  for (const path of (await communityFiles(dir)) ?? []) configs.push(parseCommunityConfig(await readFile(path, 'utf8'), path));
  return configs;
}

export async function loadDeviceRegistry(dir: string): Promise<DeviceRegistry> {
  return new DeviceRegistry(await loadCommunityConfigs(dir));
}

export interface CommunityConfigFollowerOptions {
  dir: string;
  /**
   * What the service holds now (loaded from the same directory at start): a changed file whose
   * community is the same as held is not applied. Without it, every changed file is.
   */
  registry?: DeviceRegistry;
  /** Between two looks at the directory; 0: no looks after the first. */
  intervalMs: number;
  /**
   * Brings in a new or changed community (given the file's path and text hash); `false` means it
   * was not a change after all (nothing logged); throwing refuses it (the reason is logged).
   */
  apply: (config: CommunityConfig, source: { path: string; sha256: string }) => boolean | void;
  log: { log(line: string): void; error(line: string): void };
}

/**
 * Follows COMMUNITY_CONFIG_DIR while a service runs, so that a community file edited by hand or
 * written by the api (PUT /api/communities/{id}) reaches the ingest and the rules without a
 * restart. Every `intervalMs` it reads the files, and a file whose text changed is parsed and,
 * when its community differs from what the service holds, applied. A file that does not parse,
 * or that a service refuses, changes nothing: its community keeps the configuration it had, and
 * the problem is logged once (until the file changes again). A community whose file is deleted
 * keeps its configuration until the service restarts.
 */
export class CommunityConfigFollower {
  /** File path -> sha256 of the text last looked at. */
  private readonly seen = new Map<string, string>();
  /** Community id -> the file it comes from. */
  private readonly owners = new Map<string, string>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private scanning: Promise<void> | undefined;

  constructor(private readonly options: CommunityConfigFollowerOptions) {}

  /** Takes note of the files as they are now (applying what changed since the service loaded them), then looks every intervalMs. */
  async start(): Promise<void> {
    await this.scan();
    if (this.options.intervalMs > 0) {
      this.timer = setInterval(() => void this.scan(), this.options.intervalMs);
      this.timer.unref();
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.scanning;
  }

  /** As a Nest provider, it follows while the application runs. */
  onApplicationBootstrap(): Promise<void> {
    return this.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  /** One look at the directory (never two at once). */
  scan(): Promise<void> {
    this.scanning ??= this.look().finally(() => (this.scanning = undefined));
    return this.scanning;
  }

  private async look(): Promise<void> {
    const { dir, registry, apply, log } = this.options;
    let files: string[] | undefined;
    try {
      files = await communityFiles(dir);
    } catch (error) {
      log.error(`cannot read ${dir}: ${(error as Error).message}`);
      return;
    }
    if (!files) return; // no directory (yet)
    const present = new Set(files);
    for (const [path] of this.seen) {
      if (present.has(path)) continue;
      this.seen.delete(path);
      for (const [id, owner] of this.owners) if (owner === path) log.log(`${path} is gone: community ${id} keeps its configuration until the service restarts`);
    }
    for (const path of present) {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch {
        continue; // replaced or removed while we looked: the next look sees it
      }
      const hash = createHash('sha256').update(text).digest('hex');
      if (this.seen.get(path) === hash) continue;
      this.seen.set(path, hash);
      let config: CommunityConfig;
      try {
        config = parseCommunityConfig(text, path);
      } catch (error) {
        log.error(`${(error as Error).message}; the community keeps its previous configuration`);
        continue;
      }
      for (const [id, owner] of this.owners) if (owner === path && id !== config.id) this.owners.delete(id); // the file now holds another community
      const owner = this.owners.get(config.id);
      if (owner !== undefined && owner !== path && present.has(owner)) {
        log.error(`${path}: community ${config.id} is already configured in ${owner}; ignored`);
        continue;
      }
      this.owners.set(config.id, path);
      if (registry && isDeepStrictEqual(registry.community(config.id), config)) continue;
      try {
        if (apply(config, { path, sha256: hash }) === false) continue;
      } catch (error) {
        log.error(`${path}: community ${config.id} not applied: ${(error as Error).message}; it keeps its previous configuration`);
        continue;
      }
      log.log(`community ${config.id}: ${path} changed, applied (${config.devices.length} devices)`);
    }
  }
}
