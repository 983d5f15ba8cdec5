import { type Alert, type DeviceMessage, type DeviceType, DeviceRegistry, parseCommunityConfig } from '#contracts';
import { RulesEngine, type RulesEngineOptions } from './engine.js';

/**
 * Builders for rule specs, the TZ probe and the benchmark: a community from YAML lines, messages
 * at local Shanghai times, and a run that feeds messages and collects alerts.
 */
export const COMMUNITY = 'demo';

export function registryFrom(devicesYaml: string[], extra: string[] = []): DeviceRegistry {
  const yaml = [`id: ${COMMUNITY}`, 'name: Demo', 'timezone: Asia/Shanghai', 'compounds:', '  - {id: c1, name: 一号小区}', 'devices:', ...devicesYaml.map((d) => `  - ${d}`), ...extra].join('\n');
  return new DeviceRegistry([parseCommunityConfig(yaml)]);
}

export function engineFor(devicesYaml: string[], options: RulesEngineOptions = { latenessMs: 0 }, extra: string[] = []): RulesEngine {
  return new RulesEngine(registryFrom(devicesYaml, extra), options);
}

/** Epoch ms of a local Shanghai time; `HH:MM` or `HH:MM:SS`, on 2026-11-02 (a Monday) unless a date is given. */
export function sh(time: string, date = '2026-11-02'): number {
  return Date.parse(`${date}T${time.length === 5 ? `${time}:00` : time}+08:00`);
}

export function telemetry(deviceType: DeviceType, deviceId: string, ts: number, fields: DeviceMessage['fields']): DeviceMessage {
  return { communityId: COMMUNITY, deviceType, deviceId, channel: 'telemetry', ts, fields };
}

export function event(deviceType: DeviceType, deviceId: string, ts: number, type: string, fields: DeviceMessage['fields'] = {}): DeviceMessage {
  return { communityId: COMMUNITY, deviceType, deviceId, channel: 'event', ts, fields: { type, ...fields } };
}

export function status(deviceType: DeviceType, deviceId: string, ts: number, online: boolean): DeviceMessage {
  return { communityId: COMMUNITY, deviceType, deviceId, channel: 'status', ts, fields: { online } };
}

/** One noise reading a minute from `from` for `minutes` minutes; `level(i)` gives the i-th laeq. */
export function noiseMinutes(deviceId: string, from: number, minutes: number, level: (i: number) => number, lmax?: (i: number) => number): DeviceMessage[] {
  return Array.from({ length: minutes }, (_, i) => telemetry('noise', deviceId, from + i * 60_000, lmax ? { laeq: level(i), lmax: lmax(i) } : { laeq: level(i) }));
}

/** Feeds messages in the order given and flushes; returns every alert. */
export function run(engine: RulesEngine, messages: DeviceMessage[], flush = true): Alert[] {
  const out: Alert[] = [];
  for (const m of messages) out.push(...engine.accept(m));
  if (flush) out.push(...engine.flush());
  return out;
}

/** A compact view for assertions: "raised warning noise.zone_limit n-01 22:00 value=48 threshold=45". */
export function brief(a: Alert): string {
  const local = new Date(a.at + 8 * 3600_000).toISOString().slice(11, 16);
  return `${a.state} ${a.severity} ${a.rule} ${a.deviceId ?? a.compoundId} ${local}${a.value !== undefined ? ` value=${a.value}` : ''}${a.threshold !== undefined ? ` threshold=${a.threshold}` : ''}`;
}
