import { type Alert, type RuleId, type Severity, isRuleId } from '#contracts';
import { toLine } from '#storage';
import type { StoredAlertState } from './engine.js';

/**
 * The `alert` measurement (contract.md, "InfluxDB schema"): tags community, rule, criterion,
 * severity, device; fields state, value, threshold, alertId. Where the contract is silent:
 * a `compound` tag (coverage alerts have no device) and a `raisedAt` integer field (so a restart
 * can rebuild the open alert from its last point alone). Timestamped with the alert's event time.
 */
export const ALERT_MEASUREMENT = 'alert';

export function alertToLine(alert: Alert): string {
  return toLine(
    ALERT_MEASUREMENT,
    { community: alert.communityId, rule: alert.rule, criterion: alert.criterion, severity: alert.severity, device: alert.deviceId, compound: alert.compoundId },
    { state: alert.state, value: alert.value, threshold: alert.threshold, alertId: alert.alertId, raisedAt: { int: alert.raisedAt } },
    alert.at,
  );
}

/**
 * The newest point of every (community, rule, device, compound), as InfluxQL: `last(state)` is a
 * selector, so the other columns come from the same point, whatever its severity series.
 */
export function latestAlertsQuery(): string {
  return `SELECT last("state") AS "state", "alertId", "severity", "raisedAt", "value", "threshold" FROM "${ALERT_MEASUREMENT}" GROUP BY "community", "rule", "device", "compound"`;
}

export interface InfluxSeriesLike {
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

export function storedAlertsFrom(series: InfluxSeriesLike[]): StoredAlertState[] {
  const out: StoredAlertState[] = [];
  for (const s of series) {
    const tags = s.tags ?? {};
    for (const row of s.values) {
      const r = Object.fromEntries(s.columns.map((c, i) => [c, row[i]]));
      if (!isRuleId(tags.rule) || typeof r.alertId !== 'string' || (r.state !== 'raised' && r.state !== 'cleared')) continue;
      const stored: StoredAlertState = {
        communityId: tags.community,
        rule: tags.rule as RuleId,
        alertId: r.alertId,
        state: r.state,
        severity: (r.severity as Severity) ?? 'warning',
        raisedAt: typeof r.raisedAt === 'number' ? r.raisedAt : Number(r.time),
      };
      if (tags.device) stored.deviceId = tags.device;
      if (tags.compound) stored.compoundId = tags.compound;
      if (typeof r.value === 'number') stored.value = r.value;
      if (typeof r.threshold === 'number') stored.threshold = r.threshold;
      out.push(stored);
    }
  }
  return out;
}
