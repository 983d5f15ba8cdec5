import { createHash } from 'node:crypto';
import { type Alert, type DeviceType, type RuleId, type Severity, alertMessage, criterionOf, severityRank } from '#contracts';
import type { Verdict } from './rules/types.js';

/**
 * The alert lifecycle (criteria.md; contract.md, "Alerts"): a condition raises one alert and
 * later clears it. Dedup key: rule + device, or rule + compound for coverage rules. While an
 * alert is open a repeated raise is nothing, unless its severity is higher: then the same alert
 * (same alertId) is published again with the new severity. Severity never steps down while
 * open, so a level wavering at the critical threshold cannot flap between the two.
 *
 * alertId is a hash of community, rule, subject and the raise's event time: a replay, or a run
 * restarted half-way, names the same alert the same way.
 */
export interface AlertSubject {
  communityId: string;
  rule: RuleId;
  deviceId?: string;
  deviceType?: DeviceType;
  compoundId?: string;
  /** A readable name for messages (the device's configured name, else its id). */
  label: string;
}

export interface OpenAlert {
  alertId: string;
  rule: RuleId;
  communityId: string;
  deviceId?: string;
  deviceType?: DeviceType;
  compoundId?: string;
  label: string;
  severity: Severity;
  raisedAt: number;
  value?: number;
  threshold?: number;
  context: Record<string, string | number | boolean>;
}

export function alertKey(s: { communityId: string; rule: RuleId; deviceId?: string; compoundId?: string }): string {
  return s.deviceId !== undefined ? `${s.communityId}|${s.rule}|d:${s.deviceId}` : `${s.communityId}|${s.rule}|c:${s.compoundId ?? ''}`;
}

export function alertIdFor(key: string, raisedAt: number): string {
  return `al-${createHash('sha256').update(`${key}|${raisedAt}`).digest('hex').slice(0, 20)}`;
}

export class AlertBook {
  private readonly open = new Map<string, OpenAlert>();

  /** Applies a rule's verdict; returns the alert to publish, if any. */
  apply(subject: AlertSubject, verdict: Verdict): Alert | undefined {
    const key = alertKey(subject);
    const current = this.open.get(key);
    if (verdict.kind === 'raise') {
      if (current && severityRank(verdict.severity) <= severityRank(current.severity)) return undefined;
      const next: OpenAlert = current
        ? { ...current, severity: verdict.severity, value: verdict.value, threshold: verdict.threshold, context: verdict.context ?? current.context }
        : {
            alertId: alertIdFor(key, verdict.at),
            rule: subject.rule,
            communityId: subject.communityId,
            deviceId: subject.deviceId,
            deviceType: subject.deviceType,
            compoundId: subject.compoundId,
            label: subject.label,
            severity: verdict.severity,
            raisedAt: verdict.at,
            value: verdict.value,
            threshold: verdict.threshold,
            context: verdict.context ?? {},
          };
      this.open.set(key, next);
      return toAlert(next, 'raised', verdict.at, verdict.value);
    }
    if (!current) return undefined;
    this.open.delete(key);
    return toAlert(current, 'cleared', verdict.at, verdict.value ?? current.value);
  }

  /** Clears an open alert by id (a person acknowledged it: security.gate_forced). */
  clearById(alertId: string, at: number): Alert | undefined {
    for (const [key, a] of this.open) {
      if (a.alertId !== alertId) continue;
      this.open.delete(key);
      return toAlert(a, 'cleared', Math.max(at, a.raisedAt), a.value);
    }
    return undefined;
  }

  isOpen(subject: { communityId: string; rule: RuleId; deviceId?: string; compoundId?: string }): OpenAlert | undefined {
    return this.open.get(alertKey(subject));
  }

  list(): OpenAlert[] {
    return [...this.open.values()];
  }

  /** Puts back alerts known to be open (from a snapshot or from the `alert` measurement). */
  restore(alerts: Iterable<OpenAlert>): void {
    for (const a of alerts) this.open.set(alertKey(a), a);
  }

  forget(key: string): void {
    this.open.delete(key);
  }

  get size(): number {
    return this.open.size;
  }
}

export function toAlert(a: OpenAlert, state: 'raised' | 'cleared', at: number, value: number | undefined): Alert {
  const alert: Alert = {
    alertId: a.alertId,
    rule: a.rule,
    criterion: criterionOf(a.rule, a.deviceType),
    severity: a.severity,
    state,
    communityId: a.communityId,
    at,
    raisedAt: a.raisedAt,
    message: alertMessage(a.rule, state, { subject: a.label, value: value ?? a.value, threshold: a.threshold, context: a.context }),
    context: a.context,
  };
  if (a.deviceId !== undefined) alert.deviceId = a.deviceId;
  if (a.deviceType !== undefined) alert.deviceType = a.deviceType;
  if (a.compoundId !== undefined) alert.compoundId = a.compoundId;
  const v = value ?? a.value;
  if (v !== undefined) alert.value = v;
  if (a.threshold !== undefined) alert.threshold = a.threshold;
  return alert;
}
