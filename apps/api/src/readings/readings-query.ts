import { z } from 'zod';
import type { DeviceType } from '#contracts';
import { influxIdentifier, influxString } from '#storage';
import { id, timeRange } from '../http/params.js';

/**
 * GET /api/readings?device=&from=&to=&every=: one device's telemetry, downsampled. The InfluxQL
 * is built only from validated values: the measurement and fields come from the table below
 * (never from the caller), ids pass ID_PATTERN and then influxString(), times and the bucket are
 * integers.
 */
const DURATION = /^(\d{1,6})(s|m|h|d)$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
export const MIN_EVERY_MS = 10_000;
export const MAX_EVERY_MS = 31 * 86_400_000;
export const MAX_POINTS = 5000;
export const MAX_RANGE_MS = 400 * 86_400_000;
const AUTO_EVERY = ['1m', '5m', '15m', '1h', '6h', '1d'];

export const every = z
  .string()
  .regex(DURATION, 'expected a duration such as 30s, 5m, 1h, 1d')
  .transform((v) => durationMs(v))
  .refine((ms) => ms >= MIN_EVERY_MS && ms <= MAX_EVERY_MS, 'expected a duration from 10s to 31d');

export const READINGS_QUERY = timeRange({ device: id, community: id.optional(), every: every.optional() });
export type ReadingsQuery = z.output<typeof READINGS_QUERY>;

export function durationMs(text: string): number {
  const m = DURATION.exec(text);
  if (!m) throw new Error(`not a duration: ${text}`);
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

type Aggregate = 'mean' | 'max' | 'min' | 'last' | 'count' | 'energy';
export interface ReadingField {
  name: string;
  aggregate: Aggregate;
  unit: string;
}

/** What each measurement offers, and how a bucket summarises it. Noise levels average by energy (GB 3096). */
export const READING_FIELDS: Record<DeviceType, ReadingField[]> = {
  noise: [
    { name: 'laeq', aggregate: 'energy', unit: 'dB(A)' },
    { name: 'lmax', aggregate: 'max', unit: 'dB(A)' },
    { name: 'lmin', aggregate: 'min', unit: 'dB(A)' },
    { name: 'l10', aggregate: 'mean', unit: 'dB(A)' },
    { name: 'l90', aggregate: 'mean', unit: 'dB(A)' },
  ],
  waste_bin: [
    { name: 'fillPct', aggregate: 'mean', unit: '%' },
    { name: 'tempC', aggregate: 'max', unit: '°C' },
    { name: 'weightKg', aggregate: 'mean', unit: 'kg' },
  ],
  ev_charger: [
    { name: 'powerKw', aggregate: 'mean', unit: 'kW' },
    { name: 'energyKwh', aggregate: 'last', unit: 'kWh' },
    { name: 'currentA', aggregate: 'mean', unit: 'A' },
    { name: 'tempC', aggregate: 'max', unit: '°C' },
  ],
  water_meter: [
    { name: 'totalM3', aggregate: 'last', unit: 'm³' },
    { name: 'flowLpm', aggregate: 'mean', unit: 'L/min' },
  ],
  gas_meter: [
    { name: 'totalM3', aggregate: 'last', unit: 'm³' },
    { name: 'flowM3h', aggregate: 'mean', unit: 'm³/h' },
    { name: 'methaneLel', aggregate: 'max', unit: '%LEL' },
  ],
  access_gate: [{ name: 'doorClosed', aggregate: 'count', unit: 'readings' }],
};

/** Picks `every` when the caller gave none: the finest bucket that keeps the series under 1000 points. */
export function autoEvery(rangeMs: number): number {
  for (const e of AUTO_EVERY) if (rangeMs / durationMs(e) <= 1000) return durationMs(e);
  return durationMs('1d');
}

export function readingsInfluxQL(q: { deviceType: DeviceType; community: string; device: string; from: number; to: number; everyMs: number }): string {
  for (const n of [q.from, q.to, q.everyMs]) if (!Number.isSafeInteger(n) || n < 0) throw new Error(`not a time: ${n}`);
  const columns = READING_FIELDS[q.deviceType].map((f) => {
    const source = f.aggregate === 'energy' ? 'energy' : f.name;
    const fn = f.aggregate === 'energy' ? 'mean' : f.aggregate;
    return `${fn}(${influxIdentifier(source)}) AS ${influxIdentifier(f.name)}`;
  });
  return (
    `SELECT ${columns.join(', ')} FROM ${influxIdentifier(q.deviceType)} ` +
    `WHERE "community" = ${influxString(q.community)} AND "device" = ${influxString(q.device)} AND time >= ${q.from}ms AND time < ${q.to}ms ` +
    `GROUP BY time(${q.everyMs}ms) fill(none)`
  );
}

/** Rows of the query as points; the energy mean becomes a level again: 10·log10(mean(10^(L/10))). */
export function toPoints(deviceType: DeviceType, columns: string[], values: unknown[][]): Record<string, number | null>[] {
  const fields = READING_FIELDS[deviceType];
  return values.map((row) => {
    const point: Record<string, number | null> = { t: Number(row[columns.indexOf('time')]) };
    for (const f of fields) {
      const v = row[columns.indexOf(f.name)];
      const n = typeof v === 'number' ? v : null;
      point[f.name] = n === null ? null : f.aggregate === 'energy' ? Math.round(100 * 10 * Math.log10(n)) / 100 : n;
    }
    return point;
  });
}
