import { DEVICE_TYPES, type DeviceType, deviceTopic } from '#contracts';

/**
 * Deterministic valid device messages for integration tests, with the point each one must
 * become in InfluxDB. (The realistic device models live in devices-sim/.)
 */
export interface ExpectedPoint {
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, number | string | boolean>;
  time: number;
}

export interface TestMessage {
  topic: string;
  payload: string;
  expected: ExpectedPoint;
}

export interface TestDevice {
  communityId: string;
  deviceType: DeviceType;
  deviceId: string;
  /** Set when the device is in the community configuration (see communityYaml). */
  compound?: string;
}

/** `perType` devices of each type; registered ones alternate between compounds c1 and c2. */
export function testDevices(communityId: string, perType: number, registered = true): TestDevice[] {
  return DEVICE_TYPES.flatMap((deviceType) =>
    Array.from({ length: perType }, (_, i) => ({
      communityId,
      deviceType,
      deviceId: `${deviceType.replace('_', '-')}-${String(i + 1).padStart(2, '0')}`,
      ...(registered ? { compound: i % 2 ? 'c2' : 'c1' } : {}),
    })),
  );
}

/** The community configuration that registers the devices (noise meters in GB 3096 class 1). */
export function communityYaml(communityId: string, devices: TestDevice[]): string {
  const lines = [`id: ${communityId}`, `name: Test community ${communityId}`, 'timezone: Asia/Shanghai', 'compounds:', '  - {id: c1, name: 一号小区}', '  - {id: c2, name: 二号小区}', 'devices:'];
  for (const d of devices) if (d.compound) lines.push(`  - {id: ${d.deviceId}, type: ${d.deviceType}, compound: ${d.compound}${d.deviceType === 'noise' ? ', zone: "1"' : ''}}`);
  return `${lines.join('\n')}\n`;
}

const CATEGORIES = ['recyclable', 'hazardous', 'kitchen', 'other'] as const;

/** The k-th message of a device: telemetry, except every 10th is an event. */
export function testMessage(device: TestDevice, k: number, baseTs: number): TestMessage {
  const ts = baseTs + k * 1000;
  const seq = k;
  const base: Record<string, string> = { community: device.communityId, device: device.deviceId };
  if (device.compound) base.compound = device.compound;
  if (device.compound && device.deviceType === 'noise') base.zone = '1';
  const v = (k % 50) + 0.25; // small, exactly representable variation
  if (k % 10 === 9) return testEvent(device, k, ts);
  let fields: Record<string, number | string | boolean>;
  let tags: Record<string, string> = { ...base };
  let payload: Record<string, unknown>;
  switch (device.deviceType) {
    case 'noise':
      payload = { laeq: 40 + v / 2, lmax: 60 + v / 2, l90: 35.5, battery: 90 };
      fields = { laeq: 40 + v / 2, lmax: 60 + v / 2, l90: 35.5, battery: 90, energy: 10 ** ((40 + v / 2) / 10) };
      break;
    case 'waste_bin': {
      const category = CATEGORIES[k % 4];
      payload = { fillPct: v, category, tempC: 21.5, lidOpen: k % 2 === 0 };
      fields = { fillPct: v, tempC: 21.5, lidOpen: k % 2 === 0 };
      tags = { ...tags, category };
      break;
    }
    case 'ev_charger':
      payload = { state: k % 3 === 0 ? 'idle' : 'charging', powerKw: v / 10, energyKwh: 1000 + k, tempC: 30 };
      fields = { state: k % 3 === 0 ? 'idle' : 'charging', powerKw: v / 10, energyKwh: 1000 + k, tempC: 30 };
      break;
    case 'water_meter':
      payload = { totalM3: 100 + k / 100, flowLpm: v };
      fields = { totalM3: 100 + k / 100, flowLpm: v };
      break;
    case 'gas_meter':
      payload = { totalM3: 50 + k / 1000, flowM3h: 0.5, methaneLel: 0, valve: 'open' };
      fields = { totalM3: 50 + k / 1000, flowM3h: 0.5, methaneLel: 0, valve: 'open' };
      break;
    case 'access_gate':
      payload = { doorClosed: k % 2 === 0, gateOnline: true };
      fields = { doorClosed: k % 2 === 0, gateOnline: true };
      break;
  }
  return {
    topic: deviceTopic(device, 'telemetry'),
    payload: JSON.stringify({ ts, seq, ...payload }),
    expected: { measurement: device.deviceType, tags, fields: { ...fields, seq }, time: ts },
  };
}

function testEvent(device: TestDevice, k: number, ts: number): TestMessage {
  const extra: Record<DeviceType, [string, Record<string, number | string>]> = {
    noise: ['horn', { lmax: 92.5 }],
    waste_bin: ['emptied', {}],
    ev_charger: ['session_end', { energyKwh: 12.5 }],
    water_meter: ['tamper', {}],
    gas_meter: ['leak_alarm', { methaneLel: 25 }],
    access_gate: ['open', { method: 'card' }],
  };
  const [type, fields] = extra[device.deviceType];
  return {
    topic: deviceTopic(device, 'event'),
    payload: JSON.stringify({ ts, seq: k, type, ...fields }),
    expected: {
      measurement: 'device_event',
      tags: { community: device.communityId, device: device.deviceId, deviceType: device.deviceType, type },
      fields: { ...fields, seq: k, count: 1 },
      time: ts,
    },
  };
}
