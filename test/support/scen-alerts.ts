import { type Alert, DeviceRegistry, parseCommunityConfig, validateDeviceMessage } from '#contracts';
import { RulesEngine } from '#rules';
import { type ExpectedAlert, LAST_WILL_PAYLOAD, type ScenarioRun, communityDocument } from '#sim';

/**
 * What the rules end-to-end tests compare: the alerts a scenario declares (rule, device, time
 * within a tolerance) against the alerts the rules service published. An alert is one alertId:
 * its first `raised` is the raise (an escalation to critical is the same alert, published again
 * with the same id), so "no others" means no alertId whose raise no declaration matches.
 */
export interface AlertRaise {
  alertId: string;
  rule: string;
  /** deviceId, or the compound of a coverage alert. */
  device: string;
  at: number;
}

export interface AlertComparison {
  matched: { expected: ExpectedAlert; raise: AlertRaise }[];
  /** Declared but not raised, or raised outside the tolerance. */
  missing: ExpectedAlert[];
  /** Raised but not declared. */
  unexpected: AlertRaise[];
}

/** The raise of every alertId, in order of first appearance. */
export function raisesOf(alerts: Iterable<Alert>): AlertRaise[] {
  const seen = new Map<string, AlertRaise>();
  for (const a of alerts) {
    if (a.state !== 'raised' || seen.has(a.alertId)) continue;
    seen.set(a.alertId, { alertId: a.alertId, rule: a.rule, device: a.deviceId ?? a.compoundId ?? '', at: a.raisedAt });
  }
  return [...seen.values()];
}

/** Each declaration matches one raise of its rule and device within its tolerance (nearest first). */
export function compareAlerts(expected: readonly ExpectedAlert[], alerts: Iterable<Alert>): AlertComparison {
  const left = raisesOf(alerts);
  const out: AlertComparison = { matched: [], missing: [], unexpected: [] };
  for (const e of expected) {
    let best = -1;
    for (let i = 0; i < left.length; i++) {
      const r = left[i];
      if (r.rule !== e.rule || r.device !== e.device || Math.abs(r.at - e.at) > e.toleranceMs) continue;
      if (best < 0 || Math.abs(r.at - e.at) < Math.abs(left[best].at - e.at)) best = i;
    }
    if (best < 0) out.missing.push(e);
    else out.matched.push({ expected: e, raise: left.splice(best, 1)[0] });
  }
  out.unexpected = left;
  return out;
}

const local = (ts: number, zone: string) => new Date(ts).toLocaleString('sv-SE', { timeZone: zone }).slice(5, 16);

/** One line a failing assertion can print: what is missing, what is extra, with local times. */
export function describeComparison(c: AlertComparison, zone: string): string {
  const missing = c.missing.map((m) => `${m.rule}@${m.device} ${local(m.at, zone)}±${m.toleranceMs / 60_000}m (${m.cause})`);
  const unexpected = c.unexpected.map((u) => `${u.rule}@${u.device} ${local(u.at, zone)}`);
  const near = c.matched.map((m) => `${m.raise.rule}@${m.raise.device} ${local(m.raise.at, zone)}`);
  return JSON.stringify({ missing, unexpected, matched: near });
}

/**
 * The rules engine alone over a planned run, in process (no broker, no ingest): every publish
 * validated as ingest and the rules service do, a dropped connection as the broker's last will
 * (a status without `ts`). Fast enough for the month; the end-to-end tests run the real thing.
 */
export function runEngineOver(run: ScenarioRun, options: { latenessMs?: number } = {}): Alert[] {
  const engine = new RulesEngine(new DeviceRegistry([parseCommunityConfig(communityDocument(run.scenario), run.scenario.name)]), options);
  const alerts: Alert[] = [];
  const will = Buffer.from(LAST_WILL_PAYLOAD);
  for (const step of run.steps()) {
    const device = run.devices[step.device];
    let result;
    if (step.kind === 'publish') result = validateDeviceMessage(step.topic, Buffer.from(step.payload), step.ts);
    else if (step.kind === 'drop') result = validateDeviceMessage(device.topics.status, will, Date.now()); // the broker stamps nothing: the receiver's clock
    else continue;
    if (!result.ok) throw new Error(`${step.kind} of ${device.deviceId} at ${step.ts} does not validate: ${JSON.stringify(result)}`);
    alerts.push(...engine.accept(result.message, { untimed: step.kind === 'drop' }));
  }
  alerts.push(...engine.flush());
  return alerts;
}
