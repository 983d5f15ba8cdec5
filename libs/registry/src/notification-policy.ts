import { z } from 'zod';
import { HOUR_RANGE, ID_PATTERN, SEVERITIES } from '#contracts';

/**
 * A community's notification policy: which alert steps, of which severities, go to which channel,
 * and quiet hours (local time of the community) during which only some severities are sent.
 * Channels: a generic JSON webhook, a WeCom group robot, a DingTalk robot (signed when `secret`
 * is set), a Feishu bot (signed when `secret` is set).
 */
export const CHANNEL_TYPES = ['webhook', 'wecom', 'dingtalk', 'feishu'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

/** Steps of an alert's history that can be notified. */
export const NOTIFIED_ACTIONS = ['raised', 'escalated', 'reopened', 'acknowledged', 'resolved'] as const;

const httpUrl = z
  .string()
  .max(2000)
  .refine((v) => {
    try {
      return ['http:', 'https:'].includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, 'an http(s) URL');

export const CHANNEL_SCHEMA = z.strictObject({
  id: z.string().regex(ID_PATTERN, 'an id (^[a-z0-9][a-z0-9_-]{0,63}$)'),
  type: z.enum(CHANNEL_TYPES),
  url: httpUrl,
  /** DingTalk "加签" secret (SEC…) or Feishu signature secret. */
  secret: z.string().min(1).max(200).optional(),
  severities: z.array(z.enum(SEVERITIES)).min(1).default([...SEVERITIES]),
  actions: z.array(z.enum(NOTIFIED_ACTIONS)).min(1).default(['raised', 'escalated', 'reopened', 'resolved']),
});

export const POLICY_SCHEMA = z
  .strictObject({
    channels: z.array(CHANNEL_SCHEMA).max(20).default([]),
    /** "HH:MM-HH:MM" local time; may wrap midnight ("22:00-07:00"). */
    quietHours: z
      .strictObject({
        hours: z.string().regex(HOUR_RANGE, 'HH:MM-HH:MM'),
        /** Severities still sent during quiet hours. */
        allow: z.array(z.enum(SEVERITIES)).default(['critical']),
        /** The others: sent when the quiet hours end ('defer', the default), or recorded as suppressed and never sent. */
        then: z.enum(['defer', 'suppress']).default('defer'),
      })
      .optional(),
  })
  .superRefine((p, ctx) => {
    const seen = new Set<string>();
    p.channels.forEach((c, i) => {
      if (seen.has(c.id)) ctx.addIssue({ code: 'custom', path: ['channels', i, 'id'], message: `a unique channel id (${c.id} is listed twice)` });
      seen.add(c.id);
    });
  });

export type NotificationChannel = z.output<typeof CHANNEL_SCHEMA>;
export type NotificationPolicy = z.output<typeof POLICY_SCHEMA>;
