import { type DeviceType, deviceTopic } from '#contracts';
import type { LoadMessageSource } from '#sim';

/**
 * The benchmark's devices and their readings, published by the simulator's load mode through its
 * `message` hook (`benchMessages`, ./publisher.ts): a realistic mix of types, all in one community per
 * measured step, with two devices whose readings the benchmark follows:
 *  - the noise meters among the first hundred devices are the probes (half of them): their points
 *    are looked for in InfluxDB as they land, and their `ts` (the publish wall time) gives the
 *    publish -> stored latency of a sample of 1 in 20 readings;
 *  - one device in a hundred is a gas meter whose methane alternates 30 %LEL and 0.2 %LEL, so
 *    every one of its readings makes gas.leak raise or clear (warning ≥ 20, clears below 10,
 *    libs/rules/src/catalogue.ts): 1 % of readings cause an alert, each one counted by the rules.
 * Every other value stays clear of every rule's threshold, so those are the only alerts.
 *
 * Payloads carry the contract's fields plus the diagnostics firmware commonly adds (fw, rssi, uptime),
 * which validation drops: ~200 bytes of JSON, as the bare-broker figure in issue P6 used.
 */
const MIX: readonly DeviceType[] = ['noise', 'noise', 'noise', 'noise', 'waste_bin', 'waste_bin', 'ev_charger', 'water_meter', 'access_gate', 'noise'];
const CATEGORIES = ['kitchen', 'other', 'recyclable', 'hazardous'] as const;
/** One device in GAS_EVERY is a gas meter (the alerting fraction). */
export const GAS_EVERY = 100;
/** The probes' device ids as an InfluxQL regex: d000000 … d000099 (their noise meters). */
export const PROBE_DEVICES = '/^d0000[0-9][0-9]$/';

export interface BenchDevice {
  index: number;
  id: string;
  type: DeviceType;
  topic: string;
  /** Last `ts` sent: a device's `ts` strictly increases, so no point overwrites another. */
  lastTs: number;
}

export function deviceIdOf(index: number): string {
  return `d${String(index).padStart(6, '0')}`;
}

export function deviceTypeOf(index: number): DeviceType {
  return index % GAS_EVERY === GAS_EVERY / 2 ? 'gas_meter' : MIX[index % MIX.length];
}

export function wasteCategoryOf(index: number): string {
  return CATEGORIES[Math.floor(index / MIX.length) % CATEGORIES.length];
}

export function benchDevices(communityId: string, count: number): BenchDevice[] {
  return Array.from({ length: count }, (_, index) => {
    const type = deviceTypeOf(index);
    const id = deviceIdOf(index);
    return { index, id, type, topic: deviceTopic({ communityId, deviceType: type, deviceId: id }, 'telemetry'), lastTs: 0 };
  });
}

/**
 * The load mode's `message` hook for `count` bench devices of `communityId`; a message's kind is
 * its device type, so the load summary's `sentByKind.gas_meter` counts the alert transitions.
 */
export function benchMessages(communityId: string, count: number): LoadMessageSource {
  const devices = benchDevices(communityId, count);
  return (index, seq, now) => {
    const device = devices[index];
    return { topic: device.topic, payload: nextReading(device, seq, now), kind: device.type };
  };
}

/** The `seq`-th reading of `device`, stamped `now` (or 1 ms after its previous one). */
export function nextReading(device: BenchDevice, seq: number, now: number): string {
  const ts = now > device.lastTs ? now : device.lastTs + 1;
  device.lastTs = ts;
  const v = (seq * 7 + device.index) % 10; // values vary a little, never across a threshold
  const diagnostics = `"net":"nbiot","uptimeS":${86_400 + seq},"bootCount":${3 + (device.index % 5)}`;
  switch (device.type) {
    case 'noise':
      return `{"ts":${ts},"seq":${seq},"laeq":${42 + v * 0.3},"lmax":${55 + v * 0.4},"lmin":${35 + v * 0.1},"l10":${45 + v * 0.2},"l50":${41 + v * 0.2},"l90":${37 + v * 0.2},"battery":${80 + v},"fw":"nm-2.4.1","rssi":${-60 - v},${diagnostics}}`;
    case 'waste_bin':
      return `{"ts":${ts},"seq":${seq},"fillPct":${30 + v},"category":"${wasteCategoryOf(device.index)}","tempC":${24 + v * 0.1},"weightKg":${12 + v},"lidOpen":false,"fw":"wb-1.9.0","rssi":${-70 - v},"snr":${8 + v},${diagnostics}}`;
    case 'ev_charger':
      return `{"ts":${ts},"seq":${seq},"state":"charging","powerKw":${6.6 + v * 0.01},"energyKwh":${1500 + seq * 0.01},"currentA":${30 + v * 0.1},"tempC":${40 + v * 0.2},"fw":"ev-3.1.7","rssi":${-58 - v},${diagnostics}}`;
    case 'water_meter':
      return `{"ts":${ts},"seq":${seq},"totalM3":${(100 + seq * 0.001).toFixed(3)},"flowLpm":${v * 0.5},"fw":"wm-1.2.3","rssi":${-80 - v},"snr":${5 + v},"battery":${90 - v},${diagnostics}}`;
    case 'gas_meter':
      // Odd readings high, even low: raise, clear, raise, ... (see the file comment).
      return `{"ts":${ts},"seq":${seq},"totalM3":${(50 + seq * 0.001).toFixed(3)},"flowM3h":0.4,"methaneLel":${seq % 2 === 0 ? 30 : 0.2},"valve":"open","fw":"gm-2.0.4","rssi":${-75 - v},${diagnostics}}`;
    case 'access_gate':
      return `{"ts":${ts},"seq":${seq},"doorClosed":true,"gateOnline":true,"fw":"ag-5.0.2","rssi":${-55 - v},"snr":${9 + v},"door":"main",${diagnostics}}`;
  }
}

/** The community YAML that registers `count` bench devices (COMMUNITY_CONFIG_DIR). */
export function benchCommunityYaml(communityId: string, count: number): string {
  const lines = [`id: ${communityId}`, `name: Benchmark ${communityId}`, 'timezone: Asia/Shanghai', 'compounds:', '  - {id: c1, name: C1}', '  - {id: c2, name: C2}', 'devices:'];
  for (let i = 0; i < count; i++) {
    const type = deviceTypeOf(i);
    const extra = type === 'noise' ? ', zone: "2"' : type === 'waste_bin' ? `, category: ${wasteCategoryOf(i)}` : '';
    lines.push(`  - {id: ${deviceIdOf(i)}, type: ${type}, compound: c${1 + (i % 2)}${extra}}`);
  }
  return `${lines.join('\n')}\n`;
}
