import { type DeviceAddress, type DeviceConfig, deviceTopic } from '#contracts';
import { DEVICE_IDENTITY, DEVICE_MODELS } from '../models/index.js';
import type { ModelContext } from '../models/model.js';

/**
 * What one device does over a run, as data: publishes (topic, payload, retain) and connection
 * changes, in virtual-time order. Pure: the same context gives the same steps, so a run can be
 * planned, checked and replayed at any speed.
 */
export type PlannedStep =
  | { kind: 'publish'; ts: number; device: number; topic: string; payload: string; retain: boolean; channel: 'telemetry' | 'event' | 'status' }
  /** The device loses its network: its connection breaks, and the broker publishes its last will. */
  | { kind: 'drop'; ts: number; device: number }
  /** The device is back: it connects again (and then publishes its status). */
  | { kind: 'reconnect'; ts: number; device: number };

/** The last will every device leaves with the broker (contract: status, retained, {"online":false}). */
export const LAST_WILL_PAYLOAD = '{"online":false}';

export interface PlannedDevice extends DeviceAddress {
  index: number;
  config: DeviceConfig;
  topics: { telemetry: string; event: string; status: string };
}

export function plannedDevice(communityId: string, config: DeviceConfig, index: number): PlannedDevice {
  const address: DeviceAddress = { communityId, deviceType: config.type, deviceId: config.id };
  return { ...address, index, config, topics: { telemetry: deviceTopic(address, 'telemetry'), event: deviceTopic(address, 'event'), status: deviceTopic(address, 'status') } };
}

/**
 * Wraps a device model with what every device does: a retained status on (re)connect, a per-device
 * `seq` over all its messages, strictly increasing `ts` (so no two of its points share a series
 * key and timestamp in InfluxDB), and silence while it is offline (gate_offline incidents).
 */
export function* devicePlan(device: PlannedDevice, ctx: ModelContext): Generator<PlannedStep> {
  const identity = DEVICE_IDENTITY[device.deviceType];
  const offline = ctx.incidents.filter((i) => i.kind === 'gate_offline').sort((a, b) => a.start - b.start);
  const rssi = -Math.round(55 + ctx.rng.next() * 40);
  let battery = 60 + ctx.rng.next() * 39;
  let seq = 0;
  let last = -Infinity;
  let window = 0;
  let isOffline = false;
  const stamp = (ts: number) => (last = Math.max(Math.round(ts), last + 1));
  const status = (ts: number): PlannedStep => {
    const body: Record<string, unknown> = { ts: stamp(ts), seq: seq++, online: true, fw: identity.fw, rssi };
    if (identity.battery) body.battery = Math.round(battery);
    return { kind: 'publish', ts: last, device: device.index, topic: device.topics.status, payload: JSON.stringify(body), retain: true, channel: 'status' };
  };
  yield status(ctx.start);
  for (const emission of DEVICE_MODELS[device.deviceType](ctx)) {
    while (window < offline.length && emission.ts >= (isOffline ? offline[window].end : offline[window].start)) {
      if (!isOffline) {
        isOffline = true;
        yield { kind: 'drop', ts: stamp(offline[window].start), device: device.index };
      } else {
        isOffline = false;
        yield { kind: 'reconnect', ts: stamp(offline[window].end), device: device.index };
        yield status(offline[window].end);
        window++;
      }
    }
    if (isOffline) continue;
    battery = Math.max(5, battery - 0.0001); // years of battery life: a slow decline, seen only in status
    const payload = JSON.stringify({ ts: stamp(emission.ts), seq: seq++, ...emission.body });
    yield { kind: 'publish', ts: last, device: device.index, topic: emission.channel === 'event' ? device.topics.event : device.topics.telemetry, payload, retain: false, channel: emission.channel };
  }
}
