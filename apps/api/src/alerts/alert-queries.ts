import { z } from 'zod';
import { alertState, comment, criterion, id, limit, person, rule, timeRange } from '../http/params.js';

/** GET /api/alerts: the contract's filters plus device, time (raised between) and limit. */
export const ALERT_LIST_QUERY = timeRange({
  community: id.optional(),
  state: alertState.optional(),
  criterion: criterion.optional(),
  rule: rule.optional(),
  device: id.optional(),
  limit: limit.optional(),
});
export type AlertListQuery = z.output<typeof ALERT_LIST_QUERY>;

export const ALERT_STREAM_QUERY = z.strictObject({ community: id.optional(), lastEventId: z.string().regex(/^\d{1,15}$/, 'expected an event id').optional() });

export const ACK_BODY = z.strictObject({ by: person.optional(), comment: comment.optional() });
export const RESOLVE_BODY = z.strictObject({ by: person.optional(), comment });
export const ASSIGN_BODY = z.strictObject({ by: person.optional(), assignee: person, comment: comment.optional() });
export const COMMENT_BODY = z.strictObject({ by: person.optional(), comment });
