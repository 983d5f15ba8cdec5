import { z } from 'zod';
import { ALERT_STATUSES } from '#registry';
import { ID_PATTERN, RULE_IDS, SEVERITIES } from '#contracts';

/**
 * The building blocks of every query schema. Strings from a URL reach SQL only as bound
 * parameters and InfluxQL only through these shapes (ids, integers, enumerations).
 */
export const id = z.string().regex(ID_PATTERN, 'expected an id (^[a-z0-9][a-z0-9_-]{0,63}$)');
export const criterion = z.string().regex(/^[1-9]\d?$/, 'expected a criterion number (1–18, or 6 for EV/water/gas)').refine((v) => Number(v) <= 18, 'expected a criterion number 1–18');
export const alertId = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'expected an alert id');
export const rule = z.enum(RULE_IDS, { message: `expected one of ${RULE_IDS.join(', ')}` });
export const alertState = z.enum(ALERT_STATUSES, { message: `expected one of ${ALERT_STATUSES.join(', ')}` });
export const severity = z.enum(SEVERITIES);

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
/** Contract: "Times in queries: RFC 3339 or epoch ms." Years 2000–2100 keep InfluxQL in range. */
export const time = z
  .string()
  .transform((v, ctx) => {
    const ms = /^\d{1,15}$/.test(v) ? Number(v) : RFC3339.test(v) ? Date.parse(v) : NaN;
    if (!Number.isFinite(ms) || ms < Date.UTC(2000, 0, 1) || ms > Date.UTC(2100, 0, 1)) {
      ctx.addIssue({ code: 'custom', message: 'expected an RFC 3339 time with offset (2026-01-02T03:04:05+08:00) or epoch milliseconds, between 2000 and 2100' });
      return z.NEVER;
    }
    return ms;
  });

export const limit = z
  .string()
  .regex(/^\d{1,5}$/, 'expected an integer 1–1000')
  .transform(Number)
  .refine((n) => n >= 1 && n <= 1000, 'expected an integer 1–1000');

/** A person's name in history rows: printable, no control characters. */
export const person = z.string().trim().min(1, 'expected a name').max(100, 'expected at most 100 characters').regex(/^[^\p{Cc}]+$/u, 'expected no control characters');
export const comment = z.string().trim().min(1, 'expected a comment').max(2000, 'expected at most 2000 characters');

/** from/to: `from` before `to`, named as `from` when not. */
export function timeRange<T extends z.ZodRawShape>(shape: T) {
  return z.strictObject({ ...shape, from: time.optional(), to: time.optional() }).superRefine((q, ctx) => {
    const r = q as { from?: number; to?: number };
    if (r.from !== undefined && r.to !== undefined && r.from >= r.to) ctx.addIssue({ code: 'custom', path: ['from'], message: 'expected from before to' });
  });
}
