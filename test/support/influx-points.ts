import type { InfluxConnection } from '#storage';
import type { ExpectedPoint } from './messages.js';

/** All points of a measurement as {tags+fields by column, time}. */
export async function readPoints(connection: InfluxConnection, measurement: string, where = ''): Promise<Record<string, unknown>[]> {
  const series = await connection.query(`SELECT * FROM "${measurement}"${where ? ` WHERE ${where}` : ''}`);
  const rows: Record<string, unknown>[] = [];
  for (const s of series) for (const values of s.values) rows.push(Object.fromEntries(s.columns.map((c, i) => [c, values[i]])));
  return rows;
}

/** Count of points per device tag in the given measurements. */
export async function countByDevice(connection: InfluxConnection, measurements: string[], field = 'seq'): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const series = await connection.query(`SELECT count("${field}") FROM ${measurements.map((m) => `"${m}"`).join(',')} GROUP BY "device"`);
  for (const s of series) {
    const device = s.tags?.device ?? '';
    counts.set(device, (counts.get(device) ?? 0) + Number(s.values[0][1]));
  }
  return counts;
}

/**
 * Compares stored rows with expected points: every expected point must be there with exactly its
 * tags and fields, and with nothing else that is not null. Returns one line per difference.
 */
export function diffPoints(expected: ExpectedPoint[], rowsByMeasurement: Map<string, Record<string, unknown>[]>): string[] {
  const problems: string[] = [];
  const index = new Map<string, Record<string, unknown>>();
  for (const [measurement, rows] of rowsByMeasurement) for (const row of rows) index.set(`${measurement}|${row.device}|${row.time}`, row);
  for (const point of expected) {
    const key = `${point.measurement}|${point.tags.device}|${point.time}`;
    const row = index.get(key);
    if (!row) {
      problems.push(`missing ${key}`);
      continue;
    }
    const want: Record<string, unknown> = { ...point.tags, ...point.fields, time: point.time };
    for (const [column, value] of Object.entries(row)) {
      if (value === null && !(column in want)) continue;
      if (!(column in want)) problems.push(`${key}: unexpected ${column}=${JSON.stringify(value)}`);
      else if (want[column] !== value) problems.push(`${key}: ${column} is ${JSON.stringify(value)}, expected ${JSON.stringify(want[column])}`);
    }
    for (const column of Object.keys(want)) if (!(column in row)) problems.push(`${key}: no ${column}`);
    if (problems.length > 20) break;
  }
  return problems;
}
