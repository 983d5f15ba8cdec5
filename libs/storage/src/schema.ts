import type { DeviceMessage, RegisteredDevice } from '#contracts';
import { type Fields, toLine } from './line-protocol.js';

/**
 * The contract's InfluxDB schema (shared/design/contract.md, "InfluxDB schema"):
 *   telemetry -> measurement named after the deviceType, tags community, device, compound
 *                (+ zone for noise, + category for waste_bin); noise also stores energy = 10^(laeq/10)
 *   event     -> device_event, tags community, device, deviceType, type
 *   status    -> device_status, tags community, device, deviceType
 * Timestamps are the device's ts in ms, so a redelivered message overwrites itself.
 *
 * Where the contract is silent: `seq` is stored as an integer field on every point that has one
 * (it proves nothing was lost); every event point carries `count=1i` so events without fields of
 * their own are storable and countable; tags that the configuration cannot supply (an
 * unregistered device's compound or zone) are left out rather than invented.
 */
export const MEASUREMENTS = {
  event: 'device_event',
  status: 'device_status',
  alert: 'alert',
} as const;

export function messageToLine(message: DeviceMessage, device: RegisteredDevice | undefined): string {
  const fields: Fields = {};
  for (const [key, value] of Object.entries(message.fields)) {
    if (key === 'type' && message.channel === 'event') continue; // a tag
    if (key === 'category' && message.deviceType === 'waste_bin' && message.channel === 'telemetry') continue; // a tag
    fields[key] = value;
  }
  if (message.seq !== undefined) fields.seq = { int: message.seq };

  switch (message.channel) {
    case 'telemetry': {
      if (message.deviceType === 'noise') fields.energy = 10 ** ((message.fields.laeq as number) / 10);
      return toLine(
        message.deviceType,
        {
          community: message.communityId,
          device: message.deviceId,
          compound: device?.compound,
          zone: message.deviceType === 'noise' ? device?.zone : undefined,
          category: message.deviceType === 'waste_bin' ? (message.fields.category as string) : undefined,
        },
        fields,
        message.ts,
      );
    }
    case 'event':
      fields.count = { int: 1 };
      return toLine(
        MEASUREMENTS.event,
        { community: message.communityId, device: message.deviceId, deviceType: message.deviceType, type: message.fields.type as string },
        fields,
        message.ts,
      );
    case 'status':
      return toLine(MEASUREMENTS.status, { community: message.communityId, device: message.deviceId, deviceType: message.deviceType }, fields, message.ts);
  }
}
