import { z } from 'zod';
import { type Alert, DEVICE_TYPES, ID_PATTERN, RULE_IDS, SEVERITIES } from '#contracts';

/**
 * An alert as the rules service publishes it on gc/{communityId}/alerts (contract.md, "Alerts").
 * Extra keys are allowed (a newer rules service may add some); the topic's community must be the
 * payload's.
 */
const id = z.string().regex(ID_PATTERN);
const ALERT_MESSAGE = z.object({
  alertId: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/),
  rule: z.enum(RULE_IDS),
  criterion: z.string().regex(/^[1-9]\d?$/),
  severity: z.enum(SEVERITIES),
  state: z.enum(['raised', 'cleared']),
  communityId: id,
  deviceId: id.optional(),
  deviceType: z.enum(DEVICE_TYPES).optional(),
  compoundId: id.optional(),
  at: z.number().int().nonnegative(),
  raisedAt: z.number().int().nonnegative().optional(),
  value: z.number().optional(),
  threshold: z.number().optional(),
  message: z.object({ zh: z.string().max(2000), en: z.string().max(2000) }),
  context: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
});

export type ParsedAlertMessage = { ok: true; alert: Alert } | { ok: false; reason: string };

export function parseAlertMessage(topic: string, payload: Buffer): ParsedAlertMessage {
  const community = /^gc\/([^/]+)\/alerts$/.exec(topic)?.[1];
  if (!community) return { ok: false, reason: `not an alerts topic: ${topic}` };
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const result = ALERT_MESSAGE.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    return { ok: false, reason: `${issue.path.join('.') || '(alert)'}: ${issue.message}` };
  }
  if (result.data.communityId !== community) return { ok: false, reason: `communityId ${result.data.communityId} published on ${topic}` };
  const a = result.data;
  return { ok: true, alert: { ...a, raisedAt: a.raisedAt ?? a.at } as Alert };
}
