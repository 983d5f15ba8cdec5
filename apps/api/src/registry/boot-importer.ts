import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import { APP_CONFIG, type AppConfig, CommunityConfigFollower, communityFiles } from '#config';
import { COMMUNITY_CONFIG_SCHEMA, type CommunityConfig, parseCommunityConfig } from '#contracts';
import { ApiKeyRepository, CommunityRepository } from '#registry';
import { assertRuleOverrides } from '#rules';
import { CLOCK, type Clock } from '../tokens.js';
import { writeCommunityFile } from './community-file.js';

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
    apply: (config, source) => {
      assertRuleOverrides(config); // refused everywhere alike, so ingest, rules and api never disagree on a community
      return this.communities.importFromFile(config, source, this.clock.now());
    },
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
    const paths = (await communityFiles(dir)) ?? [];
    let replaced = 0;
    const inFiles = new Map<string, { path: string; config: CommunityConfig }>();
    for (const path of paths) {
      const text = await readFile(path, 'utf8');
      const config = parseCommunityConfig(text, path);
      inFiles.set(config.id, { path, config });
      if (this.communities.importFromFile(config, { path, sha256: createHash('sha256').update(text).digest('hex') }, this.clock.now())) replaced++;
    }
    this.logger.log(`${paths.length} community file(s) in ${dir}, ${replaced} imported; ${this.communities.list().length} communities in the registry`);
    await this.writeBackEarlierEdits(inFiles);
  }

  /**
   * Edits made through the api before it wrote them to the files (it kept them in SQLite only)
   * go to the files now, so that the ingest and the rules judge by them too; a community the api
   * knows without any file is named in the log (it is not recreated: its file may have been
   * removed on purpose).
   */
  private async writeBackEarlierEdits(inFiles: Map<string, { path: string; config: CommunityConfig }>): Promise<void> {
    for (const { id } of this.communities.list()) {
      const stored = COMMUNITY_CONFIG_SCHEMA.parse(this.communities.get(id)); // as a file would read it now (defaults of today's schema)
      const file = inFiles.get(id);
      if (!file) {
        this.logger.warn(`community ${id} is in the api's registry but has no file in ${this.config.communityConfigDir}: the ingest and the rules do not know it (PUT it again, or add its file)`);
        continue;
      }
      if (isDeepStrictEqual(stored, file.config)) continue;
      const now = this.clock.now();
      const header = `community ${id}: written back by the greenwatch api at ${new Date(now).toISOString()} (edited through the api before it wrote files).\nEdits here are read by the ingest, the rules and the api within COMMUNITY_CONFIG_POLL_S.`;
      try {
        this.communities.save(stored, 'api (written back to its file)', now, await writeCommunityFile(this.config.communityConfigDir, file.path, stored, header));
        this.logger.log(`community ${id}: the api's edit written back to ${file.path}`);
      } catch (error) {
        this.logger.error(`community ${id}: could not write the api's edit back to ${file.path}: ${(error as Error).message}`);
      }
    }
  }

  onApplicationBootstrap(): Promise<void> {
    return this.follower.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.follower.stop();
  }
}
