import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { APP_CONFIG, type AppConfig, CommunityConfigFollower } from '#config';
import { parseCommunityConfig } from '#contracts';
import { ApiKeyRepository, CommunityRepository } from '#registry';
import { CLOCK, type Clock } from '../tokens.js';

/**
 * At boot: every COMMUNITY_CONFIG_DIR/*.yaml into the registry (a file replaces the stored
 * document only when the file changed since its last import, so edits made through the API
 * survive restarts; a bad file stops the start), and ADMIN_API_KEY as the env admin key (removed
 * when unset). While running, files changed by hand are imported as the ingest and the rules take
 * them (CommunityConfigFollower; a broken one is logged and changes nothing); the api's own
 * writes have the stored hash already and are not imported twice.
 */
@Injectable()
export class BootImporter implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Registry');
  private readonly follower = new CommunityConfigFollower({
    dir: this.config.communityConfigDir,
    intervalMs: this.config.communityConfigPollMs,
    apply: (config, source) => this.communities.importFromFile(config, source, this.clock.now()),
    log: this.logger,
  });

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly communities: CommunityRepository,
    private readonly keys: ApiKeyRepository,
  ) {}

  async onModuleInit(): Promise<void> {
    this.keys.setEnvAdminKey(this.config.api.adminApiKey);
    const dir = this.config.communityConfigDir;
    let names: string[] = [];
    try {
      names = (await readdir(dir)).filter((n) => /\.ya?ml$/i.test(n)).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    let replaced = 0;
    for (const name of names) {
      const path = join(dir, name);
      const text = await readFile(path, 'utf8');
      const config = parseCommunityConfig(text, path);
      if (this.communities.importFromFile(config, { path, sha256: createHash('sha256').update(text).digest('hex') }, this.clock.now())) replaced++;
    }
    this.logger.log(`${names.length} community file(s) in ${dir}, ${replaced} imported; ${this.communities.list().length} communities in the registry`);
  }

  onApplicationBootstrap(): Promise<void> {
    return this.follower.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.follower.stop();
  }
}
