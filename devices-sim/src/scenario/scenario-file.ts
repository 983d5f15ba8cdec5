import { LineCounter, isMap, isPair, isScalar, parseDocument, stringify, type Node as YamlNode } from 'yaml';
import { z } from 'zod';
import { type CommunityConfig, CommunityConfigError, type ConfigProblem, type DeviceType, ID_PATTERN, parseCommunityConfig, problemsFromZod } from '#contracts';
import { type LocalMoment, isDuration, isMoment, parseDuration, parseMoment } from '../durations.js';
import { INCIDENT_KINDS, INCIDENT_KIND_NAMES, type IncidentKind, RULE_IDS, type RuleId } from './incident-kinds.js';

/**
 * A scenario file: the contract's community YAML plus two keys of its own,
 *   scenario:  {description, duration}          what it shows and how long it runs (default 1d)
 *   incidents: [{kind, device, start, duration, params, expect: [{rule, device, at, tolerance}]}]
 * Times are local to the community ("23:00", "d1 02:30": day 1 is the second day). Every problem
 * names its line and field, the community's through parseCommunityConfig, the rest here.
 */
export const SCENARIO_KEYS = ['scenario', 'incidents'];

const moment = z.string().refine(isMoment, 'a local time such as "23:00" or "d1 02:30"');
const duration = z.string().refine(isDuration, 'a duration such as 90s, 15m, 2h, 1h30m or 1d');
const id = z.string().regex(ID_PATTERN, 'an id');

const expectation = z.strictObject({
  rule: z.enum(RULE_IDS),
  /** Defaults to the incident's device. */
  device: id.optional(),
  /** When the alert is raised, approximately. */
  at: moment,
  /** How far from `at` the raise may be (default 10m). */
  tolerance: duration.default('10m'),
});

const incident = z.strictObject({
  kind: z.enum(INCIDENT_KIND_NAMES as [IncidentKind, ...IncidentKind[]]),
  device: id,
  start: moment,
  duration,
  params: z.record(z.string(), z.unknown()).default({}),
  note: z.string().optional(),
  expect: z.array(expectation).default([]),
});

const SCENARIO_PART = z.strictObject({
  scenario: z.strictObject({ description: z.string().min(1), duration: duration.default('1d') }).default({ description: '(no description)', duration: '1d' }),
  /** Each incident is checked on its own below, so one bad incident does not hide the others' problems. */
  incidents: z.array(z.unknown()).default([]),
});

export interface ExpectSpec {
  rule: RuleId;
  device: string;
  at: LocalMoment;
  toleranceMs: number;
}

export interface IncidentSpec {
  kind: IncidentKind;
  device: string;
  deviceType: DeviceType;
  start: LocalMoment;
  durationMs: number;
  params: Record<string, unknown>;
  note?: string;
  expect: ExpectSpec[];
}

export interface ScenarioFile {
  name: string;
  source: string;
  description: string;
  durationMs: number;
  community: CommunityConfig;
  incidents: IncidentSpec[];
}

export class ScenarioError extends Error {
  constructor(
    readonly source: string,
    readonly problems: ConfigProblem[],
  ) {
    super(`${source}:\n${problems.map((p) => `  ${p.line ? `line ${p.line}: ` : ''}${p.field}: expected ${p.expected}, got ${p.got}`).join('\n')}`);
    this.name = 'ScenarioError';
  }
}

export function parseScenario(yamlText: string, source = 'scenario', name = source): ScenarioFile {
  const problems: ConfigProblem[] = [];
  const lines = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter: lines, uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length) {
    // Our own parse: parseCommunityConfig's syntax errors carry no line (it turns prettyErrors off).
    throw new ScenarioError(source, doc.errors.map((e) => ({ field: '(yaml)', expected: 'valid YAML', got: e.message.split('\n')[0], line: e.linePos?.[0].line })));
  }
  let community: CommunityConfig | undefined;
  try {
    community = parseCommunityConfig(yamlText, source, { allowKeys: SCENARIO_KEYS });
  } catch (error) {
    if (!(error instanceof CommunityConfigError)) throw error;
    problems.push(...error.problems);
  }
  const raw = (doc.toJS() ?? {}) as Record<string, unknown>;
  const at = (path: readonly PropertyKey[]) => lineOf(doc.contents, path, lines);
  const zodProblems = (issues: readonly z.core.$ZodIssue[], base: PropertyKey[] = []) => {
    for (const issue of issues) {
      const path = [...base, ...issue.path, ...(issue.code === 'unrecognized_keys' ? [issue.keys[0]] : [])];
      for (const p of problemsFromZod([issue], base)) problems.push({ ...p, line: at(path) });
    }
  };
  const part = SCENARIO_PART.safeParse({ scenario: raw.scenario, incidents: raw.incidents }, { reportInput: true });
  if (!part.success) {
    zodProblems(part.error.issues);
    throw new ScenarioError(source, problems);
  }
  const durationMs = parseDuration(part.data.scenario.duration);
  const devices = new Map((community?.devices ?? []).map((d) => [d.id, d]));
  const incidents: IncidentSpec[] = [];
  part.data.incidents.forEach((rawIncident, i) => {
    const base = ['incidents', i];
    const parsed = incident.safeParse(rawIncident, { reportInput: true });
    if (!parsed.success) return zodProblems(parsed.error.issues, base);
    const inc = parsed.data;
    const kind = INCIDENT_KINDS[inc.kind];
    const device = devices.get(inc.device);
    if (community && !device) problems.push({ field: `incidents.${i}.device`, expected: `a device of this community`, got: JSON.stringify(inc.device), line: at([...base, 'device']) });
    else if (device && device.type !== kind.deviceType) problems.push({ field: `incidents.${i}.kind`, expected: `an incident of a ${device.type} (${inc.device} is one)`, got: `${JSON.stringify(inc.kind)}, an incident of a ${kind.deviceType}`, line: at([...base, 'kind']) });
    const params = kind.params.safeParse(inc.params, { reportInput: true });
    if (!params.success) zodProblems(params.error.issues, [...base, 'params']);
    const start = parseMoment(inc.start);
    const startMs = start.day * 86_400_000 + start.secondOfDay * 1000;
    if (startMs >= durationMs) problems.push({ field: `incidents.${i}.start`, expected: `a time within the scenario's ${part.data.scenario.duration}`, got: JSON.stringify(inc.start), line: at([...base, 'start']) });
    const expect = inc.expect.map((e, j) => {
      if (community && e.device !== undefined && !devices.has(e.device)) problems.push({ field: `incidents.${i}.expect.${j}.device`, expected: 'a device of this community', got: JSON.stringify(e.device), line: at([...base, 'expect', j, 'device']) });
      return { rule: e.rule, device: e.device ?? inc.device, at: parseMoment(e.at), toleranceMs: parseDuration(e.tolerance) };
    });
    incidents.push({ kind: inc.kind, device: inc.device, deviceType: kind.deviceType, start, durationMs: parseDuration(inc.duration), params: params.success ? (params.data as Record<string, unknown>) : {}, ...(inc.note ? { note: inc.note } : {}), expect });
  });
  if (problems.length || !community) throw new ScenarioError(source, problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)));
  return { name, source, description: part.data.scenario.description, durationMs, community, incidents };
}

/** The community part of a scenario as a plain community file, for COMMUNITY_CONFIG_DIR. */
export function communityDocument(scenario: ScenarioFile): string {
  return stringify(scenario.community);
}

/** 1-based line of the node at `path` (its key when it has one). */
function lineOf(root: unknown, path: readonly PropertyKey[], lines: LineCounter): number | undefined {
  let node = root as YamlNode | null | undefined;
  let keyNode: YamlNode | undefined;
  let last: YamlNode | undefined;
  for (const step of path) {
    if (!node) break;
    last = keyNode ?? node;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(step));
      if (!pair) {
        node = undefined;
        break;
      }
      keyNode = pair.key as YamlNode;
      node = pair.value as YamlNode;
    } else if ('items' in node && Array.isArray((node as { items: unknown[] }).items)) {
      keyNode = undefined;
      node = (node as { items: YamlNode[] }).items[Number(step)];
    } else {
      node = undefined;
      break;
    }
  }
  const range = (node ? (keyNode ?? node) : (keyNode ?? last))?.range;
  return range ? lines.linePos(range[0]).line : undefined;
}
