import type { z } from 'zod';
import type { Channel, DeviceType } from './ids.js';
import { type FieldProblem, formatProblem, problemsFromZod } from './issues.js';
import { EVENT_SCHEMAS, STATUS_SCHEMA, TELEMETRY_SCHEMAS } from './payloads.js';
import { type DeviceTopic, parseDeviceTopic, quote } from './topics.js';

/** Contract: "Payloads: UTF-8 JSON objects, at most 4 KiB". */
export const MAX_PAYLOAD_BYTES = 4096;
/** Contract: a `ts` more than 5 minutes in the future is rejected. */
export const MAX_FUTURE_MS = 5 * 60_000;
/**
 * Not in the contract: a `ts` before 2000-01-01 is rejected. It catches the two most common
 * device clock bugs, an unset clock (1970) and seconds sent where milliseconds belong.
 */
export const MIN_TS_MS = Date.UTC(2000, 0, 1);

/** A message that passed validation: the topic's address plus typed, normalised fields. */
export interface DeviceMessage extends DeviceTopic {
  /** Event time, epoch ms (from `ts`; for a status without `ts`, the time it was received). */
  ts: number;
  seq?: number;
  /** The payload's fields without `ts` and `seq`; for events, `type` included. */
  fields: Record<string, number | string | boolean>;
}

export interface Rejection {
  /** The community to report to, when the topic named a valid one. */
  communityId?: string;
  /** One line: every problem, separated by '; '. */
  reason: string;
  problems: FieldProblem[];
}

export type ValidationResult = { ok: true; message: DeviceMessage } | ({ ok: false } & Rejection);

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Validates one MQTT message against the v1 contract. Pure: the clock is a parameter.
 * Order of checks: topic, size, UTF-8, JSON, object, schema, time bounds.
 */
export function validateDeviceMessage(topic: string, payload: Uint8Array, receivedAt: number): ValidationResult {
  const parsedTopic = parseDeviceTopic(topic);
  if (!parsedTopic.ok) return reject(parsedTopic.communityId, [{ field: 'topic', expected: 'a device topic', got: parsedTopic.reason }], parsedTopic.reason);
  const address = parsedTopic.topic;
  const community = address.communityId;

  if (payload.byteLength > MAX_PAYLOAD_BYTES) {
    return reject(community, [{ field: '(payload)', expected: `at most ${MAX_PAYLOAD_BYTES} bytes`, got: `${payload.byteLength} bytes` }]);
  }
  let body: unknown;
  try {
    body = JSON.parse(utf8.decode(payload));
  } catch (error) {
    const what = error instanceof SyntaxError ? `invalid JSON (${error.message})` : 'invalid UTF-8';
    return reject(community, [{ field: '(payload)', expected: 'a UTF-8 JSON object', got: what }]);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return reject(community, [{ field: '(payload)', expected: 'a JSON object', got: quote(body) }]);
  }
  return validateBody(address, body as Record<string, unknown>, receivedAt);
}

/** Schema and time checks on an already parsed JSON object. */
export function validateBody(address: DeviceTopic, body: Record<string, unknown>, receivedAt: number): ValidationResult {
  const community = address.communityId;
  const schema = schemaFor(address.deviceType, address.channel, body);
  if ('problem' in schema) return reject(community, [schema.problem]);

  // zod's fast path is several times quicker without reportInput; the inputs are only needed to
  // explain a failure, so a failure is parsed a second time with them.
  const result = schema.safeParse(body);
  if (!result.success) return reject(community, problemsFromZod(schema.safeParse(body, { reportInput: true }).error?.issues ?? result.error.issues));

  const { ts: rawTs, seq, ...fields } = result.data as Record<string, unknown> & { ts?: number | string; seq?: number };
  let ts: number;
  if (rawTs === undefined) {
    ts = receivedAt; // only a status may omit ts (a broker-published last will has none)
  } else {
    const parsed = parseTimestamp(rawTs);
    if (parsed === undefined) return reject(community, [{ field: 'ts', expected: 'a valid date and time', got: quote(rawTs) }]);
    if (parsed > receivedAt + MAX_FUTURE_MS) {
      return reject(community, [{ field: 'ts', expected: `at most 5 minutes ahead of the server clock (${new Date(receivedAt).toISOString()})`, got: quote(rawTs) }]);
    }
    if (parsed < MIN_TS_MS) {
      const hint = typeof rawTs === 'number' && rawTs * 1000 >= MIN_TS_MS ? ' (seconds sent where milliseconds belong?)' : '';
      return reject(community, [{ field: 'ts', expected: `a time after 2000-01-01T00:00:00Z${hint}`, got: quote(rawTs) }]);
    }
    ts = parsed;
  }
  // One object literal with every property: spreading then adding `seq` made V8 build a slow
  // object and cost more than the whole schema check (bench/validation.ts).
  const message: DeviceMessage = { communityId: address.communityId, deviceType: address.deviceType, deviceId: address.deviceId, channel: address.channel, ts, seq, fields: fields as DeviceMessage['fields'] };
  return { ok: true, message };
}

type AnySchema = z.ZodType<Record<string, unknown>>;

function schemaFor(deviceType: DeviceType, channel: Channel, body: Record<string, unknown>): AnySchema | { problem: FieldProblem } {
  if (channel === 'telemetry') return TELEMETRY_SCHEMAS[deviceType];
  if (channel === 'status') return STATUS_SCHEMA;
  const byType: Record<string, AnySchema> = EVENT_SCHEMAS[deviceType];
  const type = body.type;
  if (typeof type === 'string' && Object.hasOwn(byType, type)) return byType[type];
  return {
    problem: {
      field: 'type',
      expected: `one of ${Object.keys(byType).map((t) => quote(t)).join(', ')} (events of ${deviceType})`,
      got: type === undefined ? 'nothing' : quote(type),
    },
  };
}

/** Epoch ms from an integer or an RFC 3339 string with offset; undefined when not a real time. */
export function parseTimestamp(ts: number | string): number | undefined {
  if (typeof ts === 'number') return Number.isSafeInteger(ts) ? ts : undefined;
  const ms = Date.parse(ts.replace(' ', 'T'));
  if (Number.isNaN(ms)) return undefined;
  // Date.parse rolls 2026-02-30 over to March; a real calendar date round-trips its day.
  const day = Number(ts.slice(8, 10));
  const offsetMatch = /([+-])(\d{2}):(\d{2})$/.exec(ts);
  const offsetMs = offsetMatch ? (offsetMatch[1] === '-' ? -1 : 1) * (Number(offsetMatch[2]) * 60 + Number(offsetMatch[3])) * 60_000 : 0;
  if (new Date(ms + offsetMs).getUTCDate() !== day) return undefined;
  return ms;
}

function reject(communityId: string | undefined, problems: FieldProblem[], reason = problems.map(formatProblem).join('; ')): { ok: false } & Rejection {
  const rejection: { ok: false } & Rejection = { ok: false, reason, problems };
  if (communityId !== undefined) rejection.communityId = communityId;
  return rejection;
}
