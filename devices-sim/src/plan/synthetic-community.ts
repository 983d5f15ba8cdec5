import { parseCommunityConfig, type DeviceConfig } from '#contracts';
import type { ScenarioFile } from '../scenario/scenario-file.js';

/**
 * A community of about `devices` devices with no incidents, for load and timing runs: compounds
 * of 25 devices, each with four sorted bins, two noise meters (class 1), a gate, two chargers and
 * a mix of water and gas meters. Built through parseCommunityConfig, so it is a valid community.
 */
export function syntheticCommunity(devices: number, id = 'synthetic'): ScenarioFile {
  const perCompound = 25;
  const compounds = Math.max(1, Math.ceil(devices / perCompound));
  const list: Partial<DeviceConfig>[] = [];
  for (let c = 1; c <= compounds; c++) {
    const compound = `c${c}`;
    const add = (d: Partial<DeviceConfig>) => list.length < devices && list.push({ ...d, compound });
    for (const category of ['kitchen', 'other', 'recyclable', 'hazardous'] as const) add({ id: `b-${c}-${category}`, type: 'waste_bin', category, intervalS: 300 });
    add({ id: `n-${c}-1`, type: 'noise', zone: '1', intervalS: 60 });
    add({ id: `n-${c}-2`, type: 'noise', zone: '2', intervalS: 60 });
    add({ id: `gate-${c}`, type: 'access_gate', intervalS: 60 });
    for (let i = 1; i <= 2; i++) add({ id: `ev-${c}-${i}`, type: 'ev_charger', intervalS: 60 });
    for (let i = 1; i <= 8; i++) add({ id: `w-${c}-${i}`, type: 'water_meter', intervalS: 60 });
    for (let i = 1; i <= 8; i++) add({ id: `gm-${c}-${i}`, type: 'gas_meter', intervalS: 60 });
  }
  const yaml = JSON.stringify({ id, name: `Synthetic community of ${devices} devices`, compounds: Array.from({ length: compounds }, (_, i) => ({ id: `c${i + 1}`, name: `Compound ${i + 1}` })), devices: list });
  const community = parseCommunityConfig(yaml, id); // JSON is YAML
  return { name: id, source: '(synthetic)', description: `${devices} devices, no incidents`, durationMs: 86_400_000, community, incidents: [] };
}
