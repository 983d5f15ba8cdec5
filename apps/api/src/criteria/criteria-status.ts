import type { CommunityConfig, DeviceType } from '#contracts';
import type { AlertView, Attestation } from '#registry';

/**
 * The criteria view (criteria.md, "What the system checks"): for each criterion that has data,
 * where the data comes from and a status. Sensors: "attention" while an alert raised in the
 * period is not resolved. Registry: criterion 13 (property management ≥ 30% of compounds) and the
 * Anhui 2023 EV notice (chargers ≥ 30% of parking spaces). Attestations: recorded by a manager.
 */
export const CRITERION_BY_DEVICE_TYPE: Record<DeviceType, string> = { noise: '10', waste_bin: '5', access_gate: '12', ev_charger: '6', water_meter: '6', gas_meter: '6' };

export interface CriterionStatus {
  criterion: string;
  source: 'sensors' | 'registry' | 'attestation';
  status: 'ok' | 'attention' | 'attested';
  devices?: number;
  alerts?: { open: number; acknowledged: number; resolved: number };
  ratio?: number;
  attestations?: number;
  detail: string;
}

export function criteriaStatus(config: CommunityConfig, alerts: AlertView[], attestations: Attestation[]): CriterionStatus[] {
  const out: CriterionStatus[] = [];
  const devicesBy = new Map<string, number>();
  for (const d of config.devices) devicesBy.set(CRITERION_BY_DEVICE_TYPE[d.type], (devicesBy.get(CRITERION_BY_DEVICE_TYPE[d.type]) ?? 0) + 1);
  const criteria = new Set([...devicesBy.keys(), ...alerts.map((a) => a.criterion)]);
  for (const criterion of [...criteria].sort((a, b) => Number(a) - Number(b))) {
    const mine = alerts.filter((a) => a.criterion === criterion);
    const counts = { open: 0, acknowledged: 0, resolved: 0 };
    for (const a of mine) counts[a.state]++;
    const unresolved = counts.open + counts.acknowledged;
    out.push({
      criterion,
      source: 'sensors',
      status: unresolved ? 'attention' : 'ok',
      devices: devicesBy.get(criterion) ?? 0,
      alerts: counts,
      detail: unresolved ? `${unresolved} alert(s) raised in the period are not resolved` : `${mine.length} alert(s) in the period, all resolved`,
    });
  }
  if (config.compounds.length) {
    const managed = config.compounds.filter((c) => c.propertyManaged).length;
    const ratio = managed / config.compounds.length;
    out.push({ criterion: '13', source: 'registry', status: ratio >= 0.3 ? 'ok' : 'attention', ratio: round(ratio), detail: `${managed} of ${config.compounds.length} compounds under property management (criterion 13: ≥ 30%)` });
  }
  const spaces = config.compounds.reduce((n, c) => n + (c.parkingSpaces ?? 0), 0);
  if (spaces > 0) {
    const chargers = config.devices.filter((d) => d.type === 'ev_charger').length;
    const ratio = chargers / spaces;
    out.push({ criterion: 'ev-2023', source: 'registry', status: ratio >= 0.3 ? 'ok' : 'attention', ratio: round(ratio), detail: `${chargers} chargers for ${spaces} parking spaces (Anhui 2023 EV notice: ≥ 30% of spaces)` });
  }
  const attested = new Map<string, number>();
  for (const a of attestations) attested.set(a.criterion, (attested.get(a.criterion) ?? 0) + 1);
  for (const [criterion, n] of [...attested].sort((a, b) => Number(a[0]) - Number(b[0]))) {
    if (out.some((s) => s.criterion === criterion)) continue;
    out.push({ criterion, source: 'attestation', status: 'attested', attestations: n, detail: `${n} attestation(s) recorded` });
  }
  return out;
}

const round = (x: number) => Math.round(x * 1000) / 1000;
