import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { z } from 'zod';
import { API_ROLES, POLICY_SCHEMA } from '#registry';
import { Caller } from '../auth/api-key.guard.js';
import type { Principal } from '../auth/access.js';
import { alertId, comment, criterion, id, limit, person, time } from '../http/params.js';
import { ZodPipe } from '../http/zod.pipe.js';
import { RegistryService } from './registry.service.js';

export const COMMUNITY_PATH = z.strictObject({ communityId: id });
export const DEVICES_QUERY = z.strictObject({ community: id.optional() });
export const DELIVERIES_QUERY = z.strictObject({ community: id.optional(), alert: alertId.optional(), limit: limit.optional() });
export const ATTESTATIONS_QUERY = z.strictObject({ criterion: criterion.optional() });
export const ATTESTATION_BODY = z.strictObject({
  criterion,
  title: z.string().trim().min(1).max(200),
  note: comment.optional(),
  documentUrl: z.url({ protocol: /^https?$/ }).max(2000).optional(),
  validFrom: time.optional(),
  validTo: time.optional(),
  by: person.optional(),
});
export const KEY_BODY = z.strictObject({ role: z.enum(API_ROLES), communities: z.array(id).max(100).default([]), label: z.string().trim().min(1).max(100).default('api key') });
export const KEY_PATH = z.strictObject({ keyId: z.string().regex(/^[a-z0-9-]{1,32}$/, 'expected a key id') });
type Out<T extends z.ZodType> = z.output<T>;

@Controller('api')
export class RegistryController {
  constructor(private readonly registry: RegistryService) {}

  @Get('communities')
  communities(@Caller() caller: Principal) {
    return { communities: this.registry.listCommunities(caller) };
  }

  @Get('communities/:communityId')
  community(@Caller() caller: Principal, @Param(new ZodPipe(COMMUNITY_PATH, 'path')) p: Out<typeof COMMUNITY_PATH>) {
    return this.registry.community(caller, p.communityId);
  }

  @Put('communities/:communityId')
  async saveCommunity(@Caller() caller: Principal, @Param(new ZodPipe(COMMUNITY_PATH, 'path')) p: Out<typeof COMMUNITY_PATH>, @Body() body: unknown) {
    return this.registry.saveCommunity(caller, p.communityId, body);
  }

  @Get('devices')
  devices(@Caller() caller: Principal, @Query(new ZodPipe(DEVICES_QUERY, 'query')) q: Out<typeof DEVICES_QUERY>) {
    return { devices: this.registry.devices(caller, q.community) };
  }

  @Get('communities/:communityId/notification-policy')
  policy(@Caller() caller: Principal, @Param(new ZodPipe(COMMUNITY_PATH, 'path')) p: Out<typeof COMMUNITY_PATH>) {
    return this.registry.policy(caller, p.communityId);
  }

  @Put('communities/:communityId/notification-policy')
  savePolicy(@Caller() caller: Principal, @Param(new ZodPipe(COMMUNITY_PATH, 'path')) p: Out<typeof COMMUNITY_PATH>, @Body(new ZodPipe(POLICY_SCHEMA, 'body')) body: Out<typeof POLICY_SCHEMA>) {
    return this.registry.savePolicy(caller, p.communityId, body);
  }

  @Get('notifications/deliveries')
  deliveries(@Caller() caller: Principal, @Query(new ZodPipe(DELIVERIES_QUERY, 'query')) q: Out<typeof DELIVERIES_QUERY>) {
    return { deliveries: this.registry.deliveries(caller, q) };
  }

  @Get('communities/:communityId/attestations')
  attestations(@Caller() caller: Principal, @Param(new ZodPipe(COMMUNITY_PATH, 'path')) p: Out<typeof COMMUNITY_PATH>, @Query(new ZodPipe(ATTESTATIONS_QUERY, 'query')) q: Out<typeof ATTESTATIONS_QUERY>) {
    return { attestations: this.registry.listAttestations(caller, p.communityId, q.criterion) };
  }

  @Post('communities/:communityId/attestations')
  attest(@Caller() caller: Principal, @Param(new ZodPipe(COMMUNITY_PATH, 'path')) p: Out<typeof COMMUNITY_PATH>, @Body(new ZodPipe(ATTESTATION_BODY, 'body')) body: Out<typeof ATTESTATION_BODY>) {
    return this.registry.attest(caller, p.communityId, body);
  }

  @Get('keys')
  keys(@Caller() caller: Principal) {
    return { keys: this.registry.listKeys(caller) };
  }

  @Post('keys')
  createKey(@Caller() caller: Principal, @Body(new ZodPipe(KEY_BODY, 'body')) body: Out<typeof KEY_BODY>) {
    return this.registry.createKey(caller, body);
  }

  @Delete('keys/:keyId')
  @HttpCode(200)
  revokeKey(@Caller() caller: Principal, @Param(new ZodPipe(KEY_PATH, 'path')) p: Out<typeof KEY_PATH>) {
    return this.registry.revokeKey(caller, p.keyId);
  }
}
