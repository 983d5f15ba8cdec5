import { z } from 'zod';
import type { DeviceType } from './ids.js';

/**
 * Payload schemas of the v1 contract (shared/design/contract.md, "Payloads").
 *
 * Decisions where the contract is silent (documented in docs/contract-notes.md):
 * - Unknown fields are dropped, not stored: firmware may send more than the contract names,
 *   and storing arbitrary keys would let any device grow the schema.
 * - Optional levels (lmax, lmin, lN) accept 0–160 dB(A); laeq keeps the contract's 20–140.
 * - The extra fields an event names (horn's lmax, open's method, ...) are required.
 * - Free-text strings (fw, fault code) are at most 64 characters with no control characters;
 *   a numeric fault code is stored as a string.
 */

const num = (min: number, max: number) => z.number().min(min).max(max);
const level = () => num(0, 160);
const pct = () => num(0, 100);
const text = () => z.string().min(1).max(64).regex(/^[^\u0000-\u001f\u007f]*$/, 'no control characters');
const celsius = () => num(-60, 250);

/** `ts` is epoch milliseconds or an RFC 3339 string with an offset. */
export const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const timestamp = z.union([z.number().int(), z.string().regex(RFC3339, 'RFC 3339 with offset')]);

const common = {
  ts: timestamp,
  seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
};

export const WASTE_CATEGORIES = ['recyclable', 'hazardous', 'kitchen', 'other'] as const;
export type WasteCategory = (typeof WASTE_CATEGORIES)[number];

export const TELEMETRY_SCHEMAS = {
  noise: z.object({
    ...common,
    laeq: num(20, 140),
    lmax: level().optional(),
    lmin: level().optional(),
    l10: level().optional(),
    l50: level().optional(),
    l90: level().optional(),
    battery: pct().optional(),
  }),
  waste_bin: z.object({
    ...common,
    fillPct: pct(),
    category: z.enum(WASTE_CATEGORIES),
    tempC: celsius().optional(),
    weightKg: num(0, 10_000).optional(),
    lidOpen: z.boolean().optional(),
  }),
  ev_charger: z.object({
    ...common,
    state: z.enum(['idle', 'charging', 'fault']),
    powerKw: num(0, 1_000).optional(),
    energyKwh: num(0, 1e9).optional(),
    currentA: num(0, 1_000).optional(),
    tempC: celsius().optional(),
  }),
  water_meter: z.object({
    ...common,
    totalM3: num(0, 1e9),
    flowLpm: num(0, 10_000).optional(),
  }),
  gas_meter: z.object({
    ...common,
    totalM3: num(0, 1e9),
    flowM3h: num(0, 1_000).optional(),
    methaneLel: pct().optional(),
    valve: z.enum(['open', 'closed']).optional(),
  }),
  access_gate: z.object({
    ...common,
    doorClosed: z.boolean(),
    gateOnline: z.boolean().optional(),
  }),
} satisfies Record<DeviceType, z.ZodType>;

const event = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.object({ ...common, type: z.literal(type), ...shape });

/** Event schemas by device type, then by event `type`. */
export const EVENT_SCHEMAS = {
  noise: { horn: event('horn', { lmax: level() }) },
  waste_bin: {
    emptied: event('emptied', {}),
    contamination: event('contamination', {}),
    tilt: event('tilt', {}),
  },
  ev_charger: {
    // A code may come as a string or a number; it is stored as a string, because one InfluxDB
    // field can have only one type (a number after a string would be refused with a 400).
    fault: event('fault', { code: z.union([text(), z.number().int()]).transform((code) => String(code)) }),
    session_start: event('session_start', {}),
    session_end: event('session_end', { energyKwh: num(0, 1e6) }),
  },
  water_meter: { tamper: event('tamper', {}) },
  gas_meter: {
    leak_alarm: event('leak_alarm', { methaneLel: pct() }),
    valve_closed: event('valve_closed', {}),
  },
  access_gate: {
    open: event('open', { method: z.enum(['card', 'face', 'qr', 'password', 'remote']) }),
    denied: event('denied', {}),
    forced_open: event('forced_open', {}),
    held_open: event('held_open', { seconds: num(0, 86_400 * 7) }),
    tailgating: event('tailgating', {}),
  },
} satisfies Record<DeviceType, Record<string, z.ZodType>>;

export const STATUS_SCHEMA = z.object({
  ts: timestamp.optional(),
  seq: common.seq,
  online: z.boolean(),
  battery: pct().optional(),
  fw: text().optional(),
  rssi: num(-200, 0).optional(),
});

export type TelemetryOf<T extends DeviceType> = z.output<(typeof TELEMETRY_SCHEMAS)[T]>;
export type StatusPayload = z.output<typeof STATUS_SCHEMA>;

export function eventTypesOf(deviceType: DeviceType): string[] {
  return Object.keys(EVENT_SCHEMAS[deviceType]);
}
