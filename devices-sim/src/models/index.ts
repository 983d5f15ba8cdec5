import type { DeviceType } from '#contracts';
import { accessGate } from './access-gate.js';
import { evCharger } from './ev-charger.js';
import { gasMeter } from './gas-meter.js';
import type { DeviceModel } from './model.js';
import { noiseMeter } from './noise-meter.js';
import { waterMeter } from './water-meter.js';
import { wasteBin } from './waste-bin.js';

export const DEVICE_MODELS: Record<DeviceType, DeviceModel> = {
  noise: noiseMeter,
  waste_bin: wasteBin,
  ev_charger: evCharger,
  water_meter: waterMeter,
  gas_meter: gasMeter,
  access_gate: accessGate,
};

/** What a device says about itself in its retained status: firmware, and battery for battery-powered ones. */
export const DEVICE_IDENTITY: Record<DeviceType, { fw: string; battery: boolean }> = {
  noise: { fw: 'gw-noise 2.4.1', battery: false },
  waste_bin: { fw: 'gw-bin 1.7.0', battery: true },
  ev_charger: { fw: 'gw-evse 3.1.2', battery: false },
  water_meter: { fw: 'gw-water-nb 1.2.5', battery: true },
  gas_meter: { fw: 'gw-gas-nb 1.3.0', battery: true },
  access_gate: { fw: 'gw-gate 5.0.3', battery: false },
};

export * from './model.js';
