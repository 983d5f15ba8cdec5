import type { DeviceType, RuleId } from '#contracts';
import { noiseHornBan, noiseNightBurst, noiseWorkHours, noiseZoneLimit } from './noise.js';
import { gateForced, gateHeldOpen, gateTailgating } from './security.js';
import type { RuleEvaluator } from './types.js';
import { evFault, evOvertemp, gasLeak, waterLeak } from './utilities.js';
import { wasteFire, wasteNotEmptied, wasteOverflow } from './waste.js';

export * from './types.js';
export * from './noise.js';
export * from './waste.js';
export * from './security.js';
export * from './utilities.js';

// biome-ignore lint: the table holds evaluators of different state types
type AnyEvaluator = RuleEvaluator<RuleId, any>;

/** The per-device rules, by device type. device.offline and waste.sorting_coverage are the engine's (they span devices). */
export const DEVICE_RULES: Record<DeviceType, readonly AnyEvaluator[]> = {
  noise: [noiseZoneLimit, noiseNightBurst, noiseWorkHours, noiseHornBan] as AnyEvaluator[],
  waste_bin: [wasteOverflow, wasteNotEmptied, wasteFire] as AnyEvaluator[],
  access_gate: [gateForced, gateHeldOpen, gateTailgating] as AnyEvaluator[],
  ev_charger: [evFault, evOvertemp] as AnyEvaluator[],
  water_meter: [waterLeak] as AnyEvaluator[],
  gas_meter: [gasLeak] as AnyEvaluator[],
};
