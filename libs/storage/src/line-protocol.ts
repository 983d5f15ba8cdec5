/**
 * InfluxDB line protocol, written by hand because it is the hot path and the escaping rules are
 * small and exact (docs.influxdata.com, "Line protocol", special characters):
 *   measurement: escape comma and space
 *   tag key, tag value, field key: escape comma, equals sign and space
 *   string field value: escape double quote and backslash
 * A backslash elsewhere is literal. No part may contain a newline: it ends the line, and there is
 * no escape for it, so the functions refuse one instead of writing a broken or injected line.
 */

export type FieldValue = number | string | boolean | { int: number };
export type Tags = Record<string, string | undefined>;
export type Fields = Record<string, FieldValue | undefined>;

export class LineProtocolError extends Error {
  override name = 'LineProtocolError';
}

const MEASUREMENT_SPECIAL = /[, ]/;
const KEY_SPECIAL = /[,= ]/;

function noNewline(part: string, what: string): string {
  if (part.includes('\n') || part.includes('\r')) throw new LineProtocolError(`${what} contains a newline: ${JSON.stringify(part)}`);
  return part;
}

export function escapeMeasurement(name: string): string {
  noNewline(name, 'measurement');
  if (!name) throw new LineProtocolError('measurement is empty');
  // A line that starts with # is a comment, and a trailing backslash would escape the comma
  // before the first tag: neither can be written safely.
  if (name.startsWith('#')) throw new LineProtocolError(`measurement starts with #: ${JSON.stringify(name)}`);
  if (name.endsWith('\\')) throw new LineProtocolError(`measurement ends with a backslash: ${JSON.stringify(name)}`);
  return MEASUREMENT_SPECIAL.test(name) ? name.replace(/[, ]/g, '\\$&') : name;
}

/** Tag keys, tag values and field keys. */
export function escapeKey(key: string): string {
  noNewline(key, 'key');
  if (!key) throw new LineProtocolError('key or tag value is empty');
  // InfluxDB reads "\\," as an escaped comma, so a trailing backslash cannot be written safely.
  if (key.endsWith('\\')) throw new LineProtocolError(`key or tag value ends with a backslash: ${JSON.stringify(key)}`);
  return KEY_SPECIAL.test(key) ? key.replace(/[,= ]/g, '\\$&') : key;
}

export function escapeStringField(value: string): string {
  noNewline(value, 'string field');
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

export function formatFieldValue(value: FieldValue): string {
  switch (typeof value) {
    case 'number':
      if (!Number.isFinite(value)) throw new LineProtocolError(`field value ${value} is not finite`);
      return String(value); // a float; JS prints integral floats without a point, which InfluxDB reads as float
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return escapeStringField(value);
    default:
      if (!Number.isSafeInteger(value.int)) throw new LineProtocolError(`integer field ${value.int} is not a safe integer`);
      return `${value.int}i`;
  }
}

/**
 * One line: measurement, tags sorted by key (InfluxDB's fast path), fields, millisecond time.
 * Tags and fields whose value is undefined, or an empty tag value, are left out.
 */
export function toLine(measurement: string, tags: Tags, fields: Fields, timestampMs: number): string {
  let line = escapeMeasurement(measurement);
  for (const key of Object.keys(tags).sort()) {
    const value = tags[key];
    if (value === undefined || value === '') continue;
    line += `,${escapeKey(key)}=${escapeKey(value)}`;
  }
  let separator = ' ';
  for (const key of Object.keys(fields)) {
    const value = fields[key];
    if (value === undefined) continue;
    line += `${separator}${escapeKey(key)}=${formatFieldValue(value)}`;
    separator = ',';
  }
  if (separator === ' ') throw new LineProtocolError(`point of ${measurement} has no fields`);
  if (!Number.isSafeInteger(timestampMs)) throw new LineProtocolError(`timestamp ${timestampMs} is not an integer`);
  return `${line} ${timestampMs}`;
}
