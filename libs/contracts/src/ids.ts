/**
 * Identifiers of the v1 contract (shared/design/contract.md, "Identifiers").
 * Every id that reaches a topic, a tag or a file name passes through here first.
 */
export const ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export const DEVICE_TYPES = ['noise', 'waste_bin', 'ev_charger', 'water_meter', 'gas_meter', 'access_gate'] as const;
export type DeviceType = (typeof DEVICE_TYPES)[number];

export const CHANNELS = ['telemetry', 'event', 'status'] as const;
export type Channel = (typeof CHANNELS)[number];

export function isId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}

export function isDeviceType(value: unknown): value is DeviceType {
  return typeof value === 'string' && (DEVICE_TYPES as readonly string[]).includes(value);
}

export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && (CHANNELS as readonly string[]).includes(value);
}
