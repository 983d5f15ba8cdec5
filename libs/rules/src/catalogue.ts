import { z } from 'zod';
import { type CommunityConfig, type RuleId, WASTE_CATEGORIES } from '#contracts';

/**
 * The rule catalogue as data (shared/design/criteria.md, "Rules, with their default thresholds"):
 * every rule's parameters with their defaults, and the schema an override must satisfy. The
 * evaluators in ./rules read only these parameters, so a community, compound or device changes
 * a threshold in its YAML (`rules: {waste.overflow: {warning: 85}}`) without code.
 * Every rule also takes `enabled: false`.
 */
const minutes = () => z.number().positive().max(7 * 24 * 60);
const db = () => z.number().min(0).max(160);
const pct = () => z.number().min(0).max(100);
const hourRanges = () => z.array(z.string().regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$/, 'HH:MM-HH:MM'));

const rule = <S extends z.ZodRawShape>(shape: S) => z.strictObject({ enabled: z.boolean(), ...shape });

export const RULE_PARAMETER_SCHEMAS = {
  'noise.zone_limit': rule({
    windowMinutes: minutes(),
    /** warning above the limit, critical above limit + this */
    criticalAbove: db(),
    /** clears when the same average is this far below the limit */
    clearBelow: db(),
    /** the window must hold readings spanning this long before it may raise (a fresh start is not an hour) */
    minSpanMinutes: minutes(),
    dayLimit: db().optional(),
    nightLimit: db().optional(),
  }),
  'noise.night_burst': rule({ above: db(), quietMinutes: minutes() }),
  'noise.work_hours': rule({
    minMinutes: minutes(),
    quietMinutes: minutes(),
    /** overrides the device's `permittedHours` */
    permittedHours: hourRanges().optional(),
    /** ISO weekdays (1 = Monday) on which work is permitted at all */
    days: z.array(z.number().int().min(1).max(7)).optional(),
  }),
  'noise.horn_ban': rule({ warningCount: z.number().int().min(1), windowMinutes: minutes(), quietMinutes: minutes() }),
  'waste.overflow': rule({ warning: pct(), critical: pct(), clearBelow: pct() }),
  'waste.not_emptied': rule({ fillPct: pct(), hours: z.number().positive().max(24 * 30), clearBelow: pct() }),
  'waste.fire': rule({ tempC: z.number(), clearBelow: z.number() }),
  'waste.sorting_coverage': rule({ categories: z.array(z.enum(WASTE_CATEGORIES)).min(1) }),
  'security.gate_forced': rule({}),
  'security.gate_held_open': rule({ seconds: z.number().positive() }),
  'security.tailgating': rule({ count: z.number().int().min(1), windowMinutes: minutes(), quietMinutes: minutes() }),
  'device.offline': rule({ intervalS: z.number().int().min(1).max(86_400), missedIntervals: z.number().positive() }),
  'ev.fault': rule({}),
  'ev.overtemp': rule({ warning: z.number(), critical: z.number(), clearBelow: z.number() }),
  'water.leak': rule({ burstLpm: z.number().positive(), burstMinutes: minutes(), nightHours: hourRanges().length(1), minNightSpanMinutes: minutes() }),
  'gas.leak': rule({ warning: pct(), critical: pct(), clearBelow: pct() }),
} satisfies Record<RuleId, z.ZodType>;

export type RuleParams<R extends RuleId> = z.output<(typeof RULE_PARAMETER_SCHEMAS)[R]>;
export type AnyRuleParams = { [R in RuleId]: RuleParams<R> };

export const DEFAULT_PARAMS: AnyRuleParams = {
  'noise.zone_limit': { enabled: true, windowMinutes: 60, criticalAbove: 10, clearBelow: 2, minSpanMinutes: 30 },
  'noise.night_burst': { enabled: true, above: 15, quietMinutes: 15 }, // GB 3096-2008 5.4: night Lmax ≤ limit + 15
  'noise.work_hours': { enabled: true, minMinutes: 5, quietMinutes: 15 },
  'noise.horn_ban': { enabled: true, warningCount: 3, windowMinutes: 10, quietMinutes: 30 },
  'waste.overflow': { enabled: true, warning: 80, critical: 95, clearBelow: 50 },
  'waste.not_emptied': { enabled: true, fillPct: 80, hours: 4, clearBelow: 50 },
  'waste.fire': { enabled: true, tempC: 60, clearBelow: 45 },
  'waste.sorting_coverage': { enabled: true, categories: [...WASTE_CATEGORIES] },
  'security.gate_forced': { enabled: true },
  'security.gate_held_open': { enabled: true, seconds: 60 },
  'security.tailgating': { enabled: true, count: 3, windowMinutes: 10, quietMinutes: 30 },
  'device.offline': { enabled: true, intervalS: 300, missedIntervals: 3 },
  'ev.fault': { enabled: true },
  'ev.overtemp': { enabled: true, warning: 80, critical: 95, clearBelow: 65 },
  'water.leak': { enabled: true, burstLpm: 30, burstMinutes: 10, nightHours: ['02:00-05:00'], minNightSpanMinutes: 150 },
  // GB/T 50493-2019: first alarm level ≤ 25 %LEL, second ≤ 50 %LEL
  'gas.leak': { enabled: true, warning: 20, critical: 50, clearBelow: 10 },
};

/** Default permitted working hours by site kind, when the device lists none (criteria.md, "Noise"). */
export const DEFAULT_PERMITTED = {
  // PRC Noise Pollution Prevention Law (2022) art. 43: no night construction near homes without a permit
  construction: { hours: ['06:00-22:00'], days: [1, 2, 3, 4, 5, 6, 7] },
  // a common local rule: weekdays 08:00–12:00 and 14:00–18:00
  renovation: { hours: ['08:00-12:00', '14:00-18:00'], days: [1, 2, 3, 4, 5] },
} as const;

export interface OverrideProblem {
  /** Where: "rules", "compounds.c1.rules" or "devices.n-01.rules", then rule and parameter. */
  field: string;
  expected: string;
}

/** Throws, naming each field, when a community's `rules:` overrides cannot apply (what every service refuses alike). */
export function assertRuleOverrides(config: CommunityConfig): void {
  const problems = validateRuleOverrides(config);
  if (problems.length) throw new Error(`bad rule overrides: ${problems.map((p) => `${p.field}: expected ${p.expected}`).join('; ')}`);
}

/** Checks every `rules:` override of a community against the catalogue's parameter schemas. */
export function validateRuleOverrides(config: CommunityConfig): OverrideProblem[] {
  const problems: OverrideProblem[] = [];
  const check = (where: string, overrides: Partial<Record<RuleId, unknown>> | undefined) => {
    for (const [id, params] of Object.entries(overrides ?? {})) {
      const result = RULE_PARAMETER_SCHEMAS[id as RuleId].partial().safeParse(params);
      if (result.success) continue;
      for (const issue of result.error.issues) {
        const path = issue.code === 'unrecognized_keys' ? issue.keys.map((k) => [...issue.path, k]) : [issue.path];
        for (const p of path) problems.push({ field: [where, id, ...p.map(String)].join('.'), expected: issue.code === 'unrecognized_keys' ? 'a parameter of the rule' : issue.message });
      }
    }
  };
  check('rules', config.rules);
  for (const c of config.compounds) check(`compounds.${c.id}.rules`, c.rules);
  for (const d of config.devices) check(`devices.${d.id}.rules`, d.rules);
  return problems;
}
