import type { AlertView } from '#registry';
import { csv, esc, htmlTable as table, iso } from './report-format.js';

/**
 * Evidence for criterion 12 ("an intelligent security system is built", criteria.md): the security
 * devices and their online rate, every alarm with how long it took to acknowledge and resolve,
 * and a verdict with its reasons. Computed from what is stored (InfluxDB readings, the registry's
 * alert history), not from what the live rules saw.
 */
export const ONLINE_RATE_REQUIRED = 0.95;
export const SECURITY_RULES = ['security.gate_forced', 'security.gate_held_open', 'security.tailgating', 'device.offline'];

export interface GateAvailability {
  deviceId: string;
  compoundId: string;
  hoursWithData: number;
  hours: number;
}

export interface SecurityEvidence {
  community: string;
  criterion: '12';
  from: number;
  to: number;
  method: string;
  devices: { deviceId: string; compoundId: string; onlineRate: number; hoursWithData: number; hours: number }[];
  alarms: { alertId: string; rule: string; deviceId?: string; severity: string; state: string; raisedAt: number; acknowledgedAt?: number; minutesToAcknowledge?: number; resolvedAt?: number; minutesToResolve?: number; resolvedBy?: string }[];
  verdict: { pass: boolean; reasons: string[] };
}

export function securityEvidence(input: { community: string; from: number; to: number; gates: GateAvailability[]; alerts: AlertView[] }): SecurityEvidence {
  const devices = input.gates.map((g) => ({ ...g, onlineRate: g.hours ? Math.round((g.hoursWithData / g.hours) * 1000) / 1000 : 0 }));
  const minutes = (a: number | undefined, b: number) => (a === undefined ? undefined : Math.round((a - b) / 600) / 100);
  const alarms = input.alerts
    .filter((a) => a.criterion === '12')
    .sort((a, b) => a.raisedAt - b.raisedAt)
    .map((a) => {
      const firstHandled = a.acknowledged?.at ?? (a.resolved && !a.resolved.automatic ? a.resolved.at : undefined);
      return {
        alertId: a.alertId,
        rule: a.rule,
        ...(a.deviceId ? { deviceId: a.deviceId } : {}),
        severity: a.severity,
        state: a.state,
        raisedAt: a.raisedAt,
        ...(firstHandled !== undefined ? { acknowledgedAt: firstHandled, minutesToAcknowledge: minutes(firstHandled, a.raisedAt) } : {}),
        ...(a.resolved ? { resolvedAt: a.resolved.at, minutesToResolve: minutes(a.resolved.at, a.raisedAt), resolvedBy: a.resolved.by } : {}),
      };
    });
  const reasons: string[] = [];
  if (!devices.length) reasons.push('no access gates are registered');
  for (const d of devices) if (d.onlineRate < ONLINE_RATE_REQUIRED) reasons.push(`gate ${d.deviceId} reported in ${Math.round(d.onlineRate * 1000) / 10}% of hours (required ${ONLINE_RATE_REQUIRED * 100}%)`);
  const unhandled = alarms.filter((a) => a.state === 'open');
  if (unhandled.length) reasons.push(`${unhandled.length} alarm(s) never acknowledged: ${unhandled.map((a) => a.alertId).join(', ')}`);
  const unresolved = alarms.filter((a) => a.state !== 'resolved');
  if (unresolved.length && !unhandled.length) reasons.push(`${unresolved.length} alarm(s) acknowledged but not resolved`);
  return {
    community: input.community,
    criterion: '12',
    from: input.from,
    to: input.to,
    method:
      'Online rate = hours with at least one access_gate reading / hours in the period (InfluxDB: count("doorClosed") GROUP BY time(1h)); required ≥ 95%. ' +
      'Alarms = alerts of criterion 12 (security.gate_forced, security.gate_held_open, security.tailgating, device.offline of security devices) raised in the period, from the registry history; ' +
      'time to acknowledge = first acknowledgement (or resolution by a person) − raise, time to resolve = resolution − raise (event time of the raise). Verdict: pass when every gate meets the online rate and every alarm was acknowledged and resolved.',
    devices,
    alarms,
    verdict: { pass: reasons.length === 0, reasons },
  };
}

export function securityEvidenceCsv(e: SecurityEvidence): string {
  const head = ['alertId', 'rule', 'deviceId', 'severity', 'state', 'raisedAt', 'acknowledgedAt', 'minutesToAcknowledge', 'resolvedAt', 'minutesToResolve', 'resolvedBy'];
  return csv([head, ...e.alarms.map((a) => [a.alertId, a.rule, a.deviceId, a.severity, a.state, iso(a.raisedAt), iso(a.acknowledgedAt), a.minutesToAcknowledge, iso(a.resolvedAt), a.minutesToResolve, a.resolvedBy])]);
}

export function securityEvidenceHtml(e: SecurityEvidence): string {
  return `<!doctype html><html lang="zh"><meta charset="utf-8"><title>criterion 12 · ${esc(e.community)}</title>
<h1>第12条 智能安防系统 · ${esc(e.community)}</h1>
<p>${esc(iso(e.from))} – ${esc(iso(e.to))}</p>
<p><strong>${e.verdict.pass ? 'PASS 达标' : 'FAIL 未达标'}</strong> ${esc(e.verdict.reasons.join('; '))}</p>
<h2>Devices</h2>${table(['device', 'compound', 'online rate', 'hours with data', 'hours'], e.devices.map((d) => [d.deviceId, d.compoundId, d.onlineRate, d.hoursWithData, d.hours]))}
<h2>Alarms</h2>${table(['alert', 'rule', 'device', 'severity', 'state', 'raised', 'min to ack', 'min to resolve', 'resolved by'], e.alarms.map((a) => [a.alertId, a.rule, a.deviceId, a.severity, a.state, iso(a.raisedAt), a.minutesToAcknowledge, a.minutesToResolve, a.resolvedBy]))}
<h2>Method</h2><p>${esc(e.method)}</p></html>
`;
}
