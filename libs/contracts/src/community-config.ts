import { LineCounter, parseDocument, isMap, isPair, isScalar, type Node as YamlNode } from 'yaml';
import { z } from 'zod';
import { DEVICE_TYPES, ID_PATTERN } from './ids.js';
import { type FieldProblem, problemsFromZod } from './issues.js';
import { WASTE_CATEGORIES } from './payloads.js';
import { RULE_IDS } from './alerts.js';

/**
 * Community configuration (shared/design/contract.md, "Community configuration"): one YAML
 * document per community. Unknown keys are errors that name the key and the line.
 */

/** GB 3096-2008 acoustic environment function zone classes. */
export const NOISE_ZONES = ['0', '1', '2', '3', '4a', '4b'] as const;
export type NoiseZone = (typeof NOISE_ZONES)[number];

export const SITE_KINDS = ['residential', 'construction', 'renovation'] as const;

const id = z.string().regex(ID_PATTERN, 'an id');
/** "HH:MM-HH:MM", local time; the end may be before the start (the range wraps midnight). */
export const HOUR_RANGE = /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$/;
const hourRange = z.string().regex(HOUR_RANGE, 'HH:MM-HH:MM');

/**
 * Overrides of a rule's default parameters, by rule id: `{waste.overflow: {warning: 85}}`.
 * The rule id must be one of RULE_IDS; the parameter names and their types are checked by the
 * rules service at boot (libs/rules, validateRuleOverrides), which knows each rule's parameters.
 * Allowed on the community, on a compound and on a device; the nearest one wins.
 */
const ruleParameters = z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.array(z.string()), z.array(z.number())]));
const ruleOverrides = z.partialRecord(z.enum(RULE_IDS), ruleParameters);
export type RuleOverrides = z.output<typeof ruleOverrides>;

const timezone = z.string().refine(isTimeZone, { message: 'an IANA time zone such as Asia/Shanghai' });

const compound = z.strictObject({
  id,
  name: z.string().min(1).max(200),
  propertyManaged: z.boolean().optional(),
  parkingSpaces: z.number().int().min(0).optional(),
  rules: ruleOverrides.optional(),
});

const device = z
  .strictObject({
    id,
    type: z.enum(DEVICE_TYPES),
    compound: id,
    name: z.string().max(200).optional(),
    /** GB 3096 zone class; noise meters only, and required for them. */
    zone: z.enum(NOISE_ZONES).optional(),
    site: z.enum(SITE_KINDS).optional(),
    hornBan: z.boolean().optional(),
    permittedHours: z.array(hourRange).optional(),
    category: z.enum(WASTE_CATEGORIES).optional(),
    /** Reporting interval in seconds; offline detection waits 3 × this. */
    intervalS: z.number().int().min(1).max(86_400).optional(),
    location: z.strictObject({ x: z.number(), y: z.number() }).optional(),
    rules: ruleOverrides.optional(),
  })
  .superRefine((d, ctx) => {
    if (d.type === 'noise' && d.zone === undefined) ctx.addIssue({ code: 'custom', path: ['zone'], message: `a GB 3096 zone class (${NOISE_ZONES.join(', ')}) for noise meter ${d.id}`, input: undefined });
    for (const key of ['zone', 'site', 'hornBan', 'permittedHours'] as const) {
      if (d.type !== 'noise' && d[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: `no ${key} on a ${d.type} (noise meters only)`, input: d[key] });
    }
    if (d.type !== 'waste_bin' && d.category !== undefined) ctx.addIssue({ code: 'custom', path: ['category'], message: `no category on a ${d.type} (waste bins only)`, input: d.category });
  });


export const COMMUNITY_CONFIG_SCHEMA = z
  .strictObject({
    id,
    name: z.string().min(1).max(200),
    timezone: timezone.default('Asia/Shanghai'),
    periods: z.strictObject({ day: hourRange.default('06:00-22:00') }).default({ day: '06:00-22:00' }),
    compounds: z.array(compound).default([]),
    devices: z.array(device).default([]),
    rules: ruleOverrides.default({}),
  })
  .superRefine((c, ctx) => {
    const compounds = new Set<string>();
    c.compounds.forEach((x, i) => {
      if (compounds.has(x.id)) ctx.addIssue({ code: 'custom', path: ['compounds', i, 'id'], message: `a unique compound id (${x.id} is listed twice)`, input: x.id });
      compounds.add(x.id);
    });
    const devices = new Set<string>();
    c.devices.forEach((d, i) => {
      if (devices.has(d.id)) ctx.addIssue({ code: 'custom', path: ['devices', i, 'id'], message: `a unique device id (${d.id} is listed twice)`, input: d.id });
      devices.add(d.id);
      if (!compounds.has(d.compound)) ctx.addIssue({ code: 'custom', path: ['devices', i, 'compound'], message: `one of the compounds listed (${[...compounds].join(', ') || 'none'})`, input: d.compound });
    });
  });

export type CommunityConfig = z.output<typeof COMMUNITY_CONFIG_SCHEMA>;
export type DeviceConfig = CommunityConfig['devices'][number];
export type CompoundConfig = CommunityConfig['compounds'][number];

export interface ConfigProblem extends FieldProblem {
  /** 1-based line in the YAML source, when the problem has a place. */
  line?: number;
}

export class CommunityConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: ConfigProblem[],
  ) {
    super(`${source}: ${problems.map((p) => `${p.line ? `line ${p.line}: ` : ''}${p.field}: expected ${p.expected}, got ${p.got}`).join('; ')}`);
    this.name = 'CommunityConfigError';
  }
}

/**
 * Parses one community's YAML. `source` names the file in errors. Extra top-level keys listed in
 * `allowKeys` are left out of validation (scenario files embed the community beside `incidents`).
 */
export function parseCommunityConfig(yamlText: string, source = 'community config', options: { allowKeys?: string[] } = {}): CommunityConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length) {
    throw new CommunityConfigError(
      source,
      doc.errors.map((e) => ({ field: '(yaml)', expected: 'valid YAML', got: e.message.split('\n')[0], line: e.linePos?.[0].line ?? lineCounter.linePos(e.pos[0]).line })),
    );
  }
  const raw = doc.toJS() as unknown;
  const body = raw && typeof raw === 'object' && !Array.isArray(raw) ? { ...(raw as Record<string, unknown>) } : raw;
  if (body && typeof body === 'object') for (const key of options.allowKeys ?? []) delete (body as Record<string, unknown>)[key];
  const result = COMMUNITY_CONFIG_SCHEMA.safeParse(body, { reportInput: true });
  if (result.success) return result.data;

  const problems: ConfigProblem[] = [];
  for (const issue of result.error.issues) {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
    for (const key of keys) {
      const [problem] = problemsFromZod([key === undefined ? issue : ({ ...issue, keys: [key] } as typeof issue)]);
      problems.push({ ...problem, line: lineOf(doc.contents, issue.path, key, lineCounter) });
    }
  }
  throw new CommunityConfigError(source, problems);
}

/** The line of the node at `path` (or of `key` inside it), 1-based. */
function lineOf(root: unknown, path: readonly PropertyKey[], key: string | undefined, lines: LineCounter): number | undefined {
  let node = root as YamlNode | null | undefined;
  let keyNode: YamlNode | undefined;
  const steps = key === undefined ? path : [...path, key];
  for (const step of steps) {
    if (!node) break;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(step));
      if (!pair) break;
      keyNode = pair.key as YamlNode;
      node = pair.value as YamlNode;
    } else if ('items' in node && Array.isArray((node as { items: unknown[] }).items)) {
      keyNode = undefined;
      node = (node as { items: YamlNode[] }).items[Number(step)];
    } else break;
  }
  const range = (keyNode ?? node)?.range;
  return range ? lines.linePos(range[0]).line : undefined;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
