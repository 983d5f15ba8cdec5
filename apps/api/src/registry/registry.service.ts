import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#config';
import { COMMUNITY_CONFIG_SCHEMA, type CommunityConfig } from '#contracts';
import { validateRuleOverrides } from '#rules';
import { type ApiRole, ApiKeyRepository, type Attestation, AttestationRepository, CommunityRepository, type NotificationPolicy, NotificationRepository } from '#registry';
import { type Principal, assertAct, assertAdmin, assertRead, readScope } from '../auth/access.js';
import { ApiError, badParameter, notFound } from '../http/api-error.js';
import { problemToError } from '../http/zod.pipe.js';
import { CLOCK, type Clock } from '../tokens.js';
import { CommunityFileError, writeCommunityFile } from './community-file.js';

/** Communities, devices, keys, notification policies and attestations, within the caller's scope. */
@Injectable()
export class RegistryService {
  constructor(
    private readonly communities: CommunityRepository,
    private readonly keys: ApiKeyRepository,
    private readonly notifications: NotificationRepository,
    private readonly attestations: AttestationRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Community files are written one at a time, so the registry's record of each follows the file. */
  private writing: Promise<unknown> = Promise.resolve();

  listCommunities(caller: Principal) {
    const scope = readScope(caller);
    return this.communities.list().filter((c) => !scope || scope.includes(c.id));
  }

  community(caller: Principal, id: string): CommunityConfig {
    assertRead(caller, id);
    const config = this.communities.get(id);
    if (!config) throw notFound(`no community ${id}`);
    return config;
  }

  /**
   * Replaces a community's document; the body is the contract's community document as JSON. It is
   * written to the community's file in COMMUNITY_CONFIG_DIR first (the file it came from, else
   * {id}.yaml), which is what the ingest and the rules follow (CommunityConfigFollower); a file
   * that cannot be written fails the call and changes nothing.
   */
  async saveCommunity(caller: Principal, id: string, body: unknown): Promise<CommunityConfig> {
    assertAct(caller, id);
    if (!this.communities.get(id) && caller.role !== 'admin') throw notFound(`no community ${id}`);
    const result = COMMUNITY_CONFIG_SCHEMA.safeParse(body);
    if (!result.success) throw problemToError(result.error.issues[0], 'body', body);
    const config = result.data;
    if (config.id !== id) throw badParameter('id', `id: expected ${id} (the community in the path), got ${JSON.stringify(config.id)}`);
    const [problem] = validateRuleOverrides(config);
    if (problem) throw badParameter(problem.field, `${problem.field}: expected ${problem.expected}`);
    const by = `key ${caller.keyId} (${caller.label})`;
    const done = this.writing.then(async () => {
      const now = this.clock.now();
      const source = await this.writeCommunityFile(config, by, now);
      this.communities.save(config, by, now, source);
    });
    this.writing = done.catch(() => undefined);
    await done;
    return config;
  }

  private async writeCommunityFile(config: CommunityConfig, by: string, now: number): Promise<{ path: string; sha256: string }> {
    const header = `community ${config.id}: written by the greenwatch api (PUT /api/communities/${config.id}) at ${new Date(now).toISOString()}, ${by}.\nEdits here are read by the ingest, the rules and the api within COMMUNITY_CONFIG_POLL_S.`;
    try {
      return await writeCommunityFile(this.config.communityConfigDir, this.communities.sourcePath(config.id), config, header);
    } catch (error) {
      if (error instanceof CommunityFileError) throw new ApiError(error.kind, error.message);
      throw error;
    }
  }

  devices(caller: Principal, community: string | undefined) {
    if (community) assertRead(caller, community);
    return this.communities.devices({ communities: community ? [community] : readScope(caller) });
  }

  policy(caller: Principal, id: string): NotificationPolicy {
    this.community(caller, id);
    const policy = this.notifications.policy(id) ?? { channels: [] };
    // Secrets are write-only: shown masked.
    return { ...policy, channels: policy.channels.map((c) => (c.secret ? { ...c, secret: '***' } : c)) };
  }

  savePolicy(caller: Principal, id: string, policy: NotificationPolicy): NotificationPolicy {
    assertAct(caller, id);
    this.community(caller, id);
    this.notifications.savePolicy(id, policy, `key ${caller.keyId}`, this.clock.now());
    return this.policy(caller, id);
  }

  deliveries(caller: Principal, q: { community?: string; alert?: string; limit?: number }) {
    if (q.community) assertRead(caller, q.community);
    return this.notifications.deliveries({ communities: q.community ? [q.community] : readScope(caller), alertId: q.alert, limit: q.limit ?? 100 });
  }

  listAttestations(caller: Principal, id: string, criterion?: string): Attestation[] {
    this.community(caller, id);
    return this.attestations.list({ community: id, criterion });
  }

  attest(caller: Principal, id: string, input: Omit<Attestation, 'id' | 'communityId' | 'createdAt' | 'createdBy'> & { by?: string }): Attestation {
    assertAct(caller, id);
    this.community(caller, id);
    const { by, ...rest } = input;
    return this.attestations.add({ ...rest, communityId: id, createdBy: by ?? caller.label, createdAt: this.clock.now() });
  }

  createKey(caller: Principal, input: { role: ApiRole; communities: string[]; label: string }) {
    assertAdmin(caller);
    if (input.role === 'manager' && input.communities.length === 0) throw badParameter('communities', 'communities: a manager key needs at least one community');
    return this.keys.create(input);
  }

  listKeys(caller: Principal) {
    assertAdmin(caller);
    return this.keys.list();
  }

  revokeKey(caller: Principal, id: string) {
    assertAdmin(caller);
    if (!this.keys.revoke(id)) throw notFound(`no live key ${id}`);
    return { revoked: id };
  }
}
