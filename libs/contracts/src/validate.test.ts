import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEVICE_TYPES, type DeviceType } from './ids.js';
import { EVENT_SCHEMAS } from './payloads.js';
import { MAX_FUTURE_MS, MAX_PAYLOAD_BYTES, MIN_TS_MS, type ValidationResult, parseTimestamp, validateDeviceMessage } from './validate.js';

/** 2026-11-28T12:00:00Z, the server clock in every case below. */
const NOW = 1_795_867_200_000;

function topic(deviceType: string, channel: string, deviceId = 'dev-1', communityId = 'demo'): string {
  return `gc/${communityId}/${deviceType}/${deviceId}/${channel}`;
}

function validate(t: string, payload: string | Uint8Array | object, receivedAt = NOW): ValidationResult {
  const bytes = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload instanceof Uint8Array ? payload : Buffer.from(JSON.stringify(payload), 'utf8');
  return validateDeviceMessage(t, bytes, receivedAt);
}

function accepted(result: ValidationResult) {
  if (!result.ok) assert.fail(`expected acceptance, got rejection: ${result.reason}`);
  return result.message;
}

function rejected(result: ValidationResult) {
  if (result.ok) assert.fail(`expected a rejection, got ${JSON.stringify(result.message)}`);
  return result;
}

describe('constants', () => {
  it('the clock used here is 2026-11-28T12:00:00Z', () => {
    assert.equal(new Date(NOW).toISOString(), '2026-11-28T12:00:00.000Z');
  });

  it('match the contract: 4 KiB payloads, 5 minutes of future, 2000-01-01 floor', () => {
    assert.equal(MAX_PAYLOAD_BYTES, 4096);
    assert.equal(MAX_FUTURE_MS, 300_000);
    assert.equal(MIN_TS_MS, 946_684_800_000);
  });
});

describe('validateDeviceMessage: valid telemetry of every device type', () => {
  const cases: { type: DeviceType; payload: Record<string, unknown>; fields: Record<string, unknown> }[] = [
    {
      type: 'noise',
      payload: { ts: NOW, seq: 7, laeq: 55.5, lmax: 71.2, lmin: 40, l10: 60, l50: 54, l90: 45, battery: 80 },
      fields: { laeq: 55.5, lmax: 71.2, lmin: 40, l10: 60, l50: 54, l90: 45, battery: 80 },
    },
    {
      type: 'waste_bin',
      payload: { ts: NOW, fillPct: 85, category: 'kitchen', tempC: 21.5, weightKg: 12.25, lidOpen: false },
      fields: { fillPct: 85, category: 'kitchen', tempC: 21.5, weightKg: 12.25, lidOpen: false },
    },
    {
      type: 'ev_charger',
      payload: { ts: NOW, state: 'charging', powerKw: 7, energyKwh: 1234.5, currentA: 32, tempC: 40 },
      fields: { state: 'charging', powerKw: 7, energyKwh: 1234.5, currentA: 32, tempC: 40 },
    },
    { type: 'water_meter', payload: { ts: NOW, totalM3: 1520.125, flowLpm: 6 }, fields: { totalM3: 1520.125, flowLpm: 6 } },
    {
      type: 'gas_meter',
      payload: { ts: NOW, totalM3: 88.5, flowM3h: 0.4, methaneLel: 0, valve: 'open' },
      fields: { totalM3: 88.5, flowM3h: 0.4, methaneLel: 0, valve: 'open' },
    },
    { type: 'access_gate', payload: { ts: NOW, doorClosed: true, gateOnline: true }, fields: { doorClosed: true, gateOnline: true } },
  ];

  it('covers all six device types', () => {
    assert.deepEqual(cases.map((c) => c.type).sort(), [...DEVICE_TYPES].sort());
  });

  for (const c of cases) {
    it(`${c.type}: every field, address from the topic, ts and seq split out`, () => {
      const message = accepted(validate(topic(c.type, 'telemetry'), c.payload));
      // seq is always a property (undefined when absent): one object shape for every message
      const expected: Record<string, unknown> = { communityId: 'demo', deviceType: c.type, deviceId: 'dev-1', channel: 'telemetry', ts: NOW, seq: c.payload.seq, fields: c.fields };
      assert.deepEqual(message, expected);
    });
  }

  it('only required fields: noise with laeq alone', () => {
    assert.deepEqual(accepted(validate(topic('noise', 'telemetry'), { ts: NOW, laeq: 20 })).fields, { laeq: 20 });
  });

  it('bounds are inclusive: laeq 20 and 140, fillPct 0 and 100', () => {
    accepted(validate(topic('noise', 'telemetry'), { ts: NOW, laeq: 140 }));
    accepted(validate(topic('waste_bin', 'telemetry'), { ts: NOW, fillPct: 0, category: 'other' }));
    accepted(validate(topic('waste_bin', 'telemetry'), { ts: NOW, fillPct: 100, category: 'hazardous' }));
  });

  it('every waste category and ev state is accepted', () => {
    for (const category of ['recyclable', 'hazardous', 'kitchen', 'other']) accepted(validate(topic('waste_bin', 'telemetry'), { ts: NOW, fillPct: 1, category }));
    for (const state of ['idle', 'charging', 'fault']) accepted(validate(topic('ev_charger', 'telemetry'), { ts: NOW, state }));
    for (const valve of ['open', 'closed']) accepted(validate(topic('gas_meter', 'telemetry'), { ts: NOW, totalM3: 0, valve }));
  });

  it('seq 0 is kept (falsy but present)', () => {
    assert.equal(accepted(validate(topic('water_meter', 'telemetry'), { ts: NOW, seq: 0, totalM3: 1 })).seq, 0);
  });

  it('a message without seq has seq undefined', () => {
    assert.equal(accepted(validate(topic('water_meter', 'telemetry'), { ts: NOW, totalM3: 1 })).seq, undefined);
  });
});

describe('validateDeviceMessage: valid events of every device type', () => {
  const cases: { type: DeviceType; payload: Record<string, unknown> }[] = [
    { type: 'noise', payload: { type: 'horn', lmax: 92.5 } },
    { type: 'waste_bin', payload: { type: 'emptied' } },
    { type: 'waste_bin', payload: { type: 'contamination' } },
    { type: 'waste_bin', payload: { type: 'tilt' } },
    { type: 'ev_charger', payload: { type: 'fault', code: 'E42' } },
    { type: 'ev_charger', payload: { type: 'fault', code: 42 } },
    { type: 'ev_charger', payload: { type: 'session_start' } },
    { type: 'ev_charger', payload: { type: 'session_end', energyKwh: 18.75 } },
    { type: 'water_meter', payload: { type: 'tamper' } },
    { type: 'gas_meter', payload: { type: 'leak_alarm', methaneLel: 25 } },
    { type: 'gas_meter', payload: { type: 'valve_closed' } },
    { type: 'access_gate', payload: { type: 'open', method: 'card' } },
    { type: 'access_gate', payload: { type: 'open', method: 'face' } },
    { type: 'access_gate', payload: { type: 'open', method: 'qr' } },
    { type: 'access_gate', payload: { type: 'open', method: 'password' } },
    { type: 'access_gate', payload: { type: 'open', method: 'remote' } },
    { type: 'access_gate', payload: { type: 'denied' } },
    { type: 'access_gate', payload: { type: 'forced_open' } },
    { type: 'access_gate', payload: { type: 'held_open', seconds: 95 } },
    { type: 'access_gate', payload: { type: 'tailgating' } },
  ];

  it('covers every event type the contract names', () => {
    const covered = new Set(cases.map((c) => `${c.type}.${c.payload.type as string}`));
    const contract = [
      'noise.horn',
      'waste_bin.emptied',
      'waste_bin.contamination',
      'waste_bin.tilt',
      'ev_charger.fault',
      'ev_charger.session_start',
      'ev_charger.session_end',
      'water_meter.tamper',
      'gas_meter.leak_alarm',
      'gas_meter.valve_closed',
      'access_gate.open',
      'access_gate.denied',
      'access_gate.forced_open',
      'access_gate.held_open',
      'access_gate.tailgating',
    ];
    assert.deepEqual([...covered].sort(), [...contract].sort());
    const implemented = DEVICE_TYPES.flatMap((t) => Object.keys(EVENT_SCHEMAS[t]).map((e) => `${t}.${e}`));
    assert.deepEqual(implemented.sort(), [...contract].sort());
  });

  for (const c of cases) {
    it(`${c.type} ${c.payload.type as string}${'method' in c.payload ? ` (${c.payload.method as string})` : ''}${typeof c.payload.code === 'number' ? ' (numeric code)' : ''}`, () => {
      const message = accepted(validate(topic(c.type, 'event'), { ts: NOW, seq: 3, ...c.payload }));
      // a numeric fault code is stored as a string (one InfluxDB field, one type)
      const fields = typeof c.payload.code === 'number' ? { ...c.payload, code: String(c.payload.code) } : c.payload;
      assert.deepEqual(message, { communityId: 'demo', deviceType: c.type, deviceId: 'dev-1', channel: 'event', ts: NOW, seq: 3, fields });
    });
  }
});

describe('validateDeviceMessage: status', () => {
  for (const type of DEVICE_TYPES) {
    it(`${type}: every status field`, () => {
      const message = accepted(validate(topic(type, 'status'), { ts: NOW - 1000, online: true, battery: 55, fw: 'v1.2.3', rssi: -71 }));
      assert.deepEqual(message, { communityId: 'demo', deviceType: type, deviceId: 'dev-1', channel: 'status', ts: NOW - 1000, seq: undefined, fields: { online: true, battery: 55, fw: 'v1.2.3', rssi: -71 } });
    });
  }

  it('a last will without ts ({"online":false}) takes the time it was received', () => {
    const message = accepted(validate(topic('noise', 'status'), '{"online":false}', NOW + 1234));
    assert.equal(message.ts, NOW + 1234);
    assert.deepEqual(message.fields, { online: false });
  });

  it('telemetry without ts does not take the received time', () => {
    const r = rejected(validate(topic('noise', 'telemetry'), { laeq: 50 }));
    assert.match(r.reason, /^ts: expected .*, got nothing$/);
  });
});

describe('validateDeviceMessage: ts parsing', () => {
  const cases: [unknown, number][] = [
    [NOW, NOW],
    [NOW - 86_400_000, NOW - 86_400_000],
    ['2026-11-28T12:00:00Z', NOW],
    ['2026-11-28T12:00:00z', NOW],
    ['2026-11-28t12:00:00Z', NOW],
    ['2026-11-28T20:00:00+08:00', NOW],
    ['2026-11-28T07:00:00-05:00', NOW],
    ['2026-11-28T12:00:00+00:00', NOW],
    ['2026-11-28T12:00:00.250Z', NOW + 250],
    ['2026-11-28T20:00:00.5+08:00', NOW + 500],
    ['2026-11-28T11:59:59.999Z', NOW - 1],
    ['2026-11-28T12:00:00.123456Z', NOW + 123],
    // RFC 3339 section 5.6 note: a space may replace the T
    ['2026-11-28 12:00:00Z', NOW],
    // offsets that move the UTC day: 2026-11-29 00:30 in Beijing is 2026-11-28 16:30 UTC
    ['2026-11-29T00:30:00+08:00', NOW + 4.5 * 3_600_000],
    ['2026-11-27T23:00:00-13:00', NOW],
  ];
  for (const [ts, expected] of cases) {
    it(`ts ${JSON.stringify(ts)} -> ${expected - NOW >= 0 ? '+' : ''}${expected - NOW} ms from now`, () => {
      assert.equal(accepted(validate(topic('noise', 'telemetry'), { ts, laeq: 50 }, NOW + 5 * 3_600_000)).ts, expected);
    });
  }

  it('leap day 2028-02-29 is a real date', () => {
    assert.equal(parseTimestamp('2028-02-29T00:00:00Z'), 1_835_395_200_000);
  });

  it('ts exactly 5 minutes ahead is accepted, one millisecond more is not', () => {
    assert.equal(accepted(validate(topic('noise', 'telemetry'), { ts: NOW + 300_000, laeq: 50 })).ts, NOW + 300_000);
    rejected(validate(topic('noise', 'telemetry'), { ts: NOW + 300_001, laeq: 50 }));
  });

  it('ts exactly 2000-01-01T00:00:00Z is accepted', () => {
    assert.equal(accepted(validate(topic('noise', 'telemetry'), { ts: 946_684_800_000, laeq: 50 })).ts, 946_684_800_000);
  });

  it('parseTimestamp refuses impossible dates and times', () => {
    for (const s of ['2026-02-30T00:00:00Z', '2026-02-29T00:00:00Z', '2026-04-31T08:00:00+08:00', '2026-13-01T00:00:00Z', '2026-11-28T12:60:00Z', '2026-11-28T25:00:00Z', '2026-11-28T12:00:00+25:00']) {
      assert.equal(parseTimestamp(s), undefined, s);
    }
  });

  it('parseTimestamp refuses a number that is not a safe integer', () => {
    assert.equal(parseTimestamp(1.5), undefined);
    assert.equal(parseTimestamp(2 ** 53), undefined);
    assert.equal(parseTimestamp(NOW), NOW);
  });
});

describe('validateDeviceMessage: unknown fields', () => {
  it('are dropped from telemetry, not stored', () => {
    const message = accepted(validate(topic('noise', 'telemetry'), { ts: NOW, laeq: 50, firmwareDebug: 'x', extra: { a: 1 }, humidity: 40 }));
    assert.deepEqual(message.fields, { laeq: 50 });
  });

  it('are dropped from events and status', () => {
    assert.deepEqual(accepted(validate(topic('waste_bin', 'event'), { ts: NOW, type: 'tilt', angle: 30 })).fields, { type: 'tilt' });
    assert.deepEqual(accepted(validate(topic('waste_bin', 'status'), { ts: NOW, online: true, ip: '10.0.0.1' })).fields, { online: true });
  });

  it('a __proto__ key in the JSON neither passes through nor pollutes', () => {
    const message = accepted(validate(topic('noise', 'telemetry'), `{"ts":${NOW},"laeq":50,"__proto__":{"polluted":true}}`));
    assert.deepEqual(message.fields, { laeq: 50 });
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('fields of another device type are unknown fields (waste_bin ignores laeq)', () => {
    const r = rejected(validate(topic('waste_bin', 'telemetry'), { ts: NOW, laeq: 50 }));
    assert.match(r.reason, /fillPct: expected a number, got nothing/);
  });
});

describe('validateDeviceMessage: rejections name the field, the expectation and what came', () => {
  interface Case {
    name: string;
    topic?: string;
    payload: string | Uint8Array | object;
    field: string;
    expected: RegExp;
    got: RegExp;
    /** The community the rejected copy goes to; undefined when the topic named none. */
    community?: string | null;
  }
  const T = topic('noise', 'telemetry');
  const cases: Case[] = [
    { name: 'invalid JSON', payload: `{"ts":${NOW},"laeq":50`, field: '(payload)', expected: /UTF-8 JSON object/, got: /^invalid JSON \(/ },
    { name: 'empty payload', payload: '', field: '(payload)', expected: /JSON object/, got: /^invalid JSON/ },
    { name: 'JSON with a trailing comma', payload: `{"ts":${NOW},"laeq":50,}`, field: '(payload)', expected: /JSON object/, got: /^invalid JSON/ },
    { name: 'invalid UTF-8', payload: Uint8Array.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]), field: '(payload)', expected: /UTF-8/, got: /^invalid UTF-8$/ },
    { name: 'a JSON array', payload: '[1,2]', field: '(payload)', expected: /^a JSON object$/, got: /^\[1,2\]$/ },
    { name: 'JSON null', payload: 'null', field: '(payload)', expected: /^a JSON object$/, got: /^null$/ },
    { name: 'a JSON number', payload: '42', field: '(payload)', expected: /^a JSON object$/, got: /^42$/ },
    { name: 'a JSON string', payload: '"laeq 50"', field: '(payload)', expected: /^a JSON object$/, got: /^"laeq 50"$/ },
    { name: 'missing required field', payload: { ts: NOW }, field: 'laeq', expected: /^a number$/, got: /^nothing$/ },
    { name: 'number sent as a string', payload: { ts: NOW, laeq: '55' }, field: 'laeq', expected: /^a number$/, got: /^string "55"$/ },
    { name: 'null for a number', payload: { ts: NOW, laeq: null }, field: 'laeq', expected: /^a number$/, got: /null/ },
    { name: 'above range', payload: { ts: NOW, laeq: 150 }, field: 'laeq', expected: /^a number ≤ 140$/, got: /^150$/ },
    { name: 'below range', payload: { ts: NOW, laeq: 19.99 }, field: 'laeq', expected: /^a number ≥ 20$/, got: /^19\.99$/ },
    { name: 'optional level above range', payload: { ts: NOW, laeq: 50, lmax: 165 }, field: 'lmax', expected: /^a number ≤ 160$/, got: /^165$/ },
    { name: 'battery above 100 %', payload: { ts: NOW, laeq: 50, battery: 101 }, field: 'battery', expected: /^a number ≤ 100$/, got: /^101$/ },
    { name: 'negative cumulative register', topic: topic('water_meter', 'telemetry'), payload: { ts: NOW, totalM3: -1 }, field: 'totalM3', expected: /^a number ≥ 0$/, got: /^-1$/ },
    { name: 'string for a boolean', topic: topic('access_gate', 'telemetry'), payload: { ts: NOW, doorClosed: 'yes' }, field: 'doorClosed', expected: /^a boolean$/, got: /^string "yes"$/ },
    { name: 'number for a boolean', topic: topic('waste_bin', 'telemetry'), payload: { ts: NOW, fillPct: 5, category: 'other', lidOpen: 1 }, field: 'lidOpen', expected: /^a boolean$/, got: /^number 1$/ },
    { name: 'unknown enum value', topic: topic('waste_bin', 'telemetry'), payload: { ts: NOW, fillPct: 5, category: 'glass' }, field: 'category', expected: /^one of "recyclable", "hazardous", "kitchen", "other"$/, got: /^"glass"$/ },
    { name: 'missing ts', payload: { laeq: 50 }, field: 'ts', expected: /number/, got: /^nothing$/ },
    { name: 'ts as a boolean', payload: { ts: true, laeq: 50 }, field: 'ts', expected: /number/, got: /true/ },
    { name: 'ts with a fraction of a millisecond', payload: { ts: NOW + 0.5, laeq: 50 }, field: 'ts', expected: /integer/, got: /1795867200000\.5/ },
    { name: 'ts beyond a safe integer', payload: '{"ts":1e20,"laeq":50}', field: 'ts', expected: /integer ≤ 9007199254740991/, got: /100000000000000000000/ },
    { name: 'ts in seconds', payload: { ts: 1_795_867_200, laeq: 50 }, field: 'ts', expected: /after 2000-01-01.*seconds sent where milliseconds belong/, got: /^1795867200$/ },
    { name: 'ts 0 (unset clock)', payload: { ts: 0, laeq: 50 }, field: 'ts', expected: /^a time after 2000-01-01T00:00:00Z$/, got: /^0$/ },
    { name: 'ts more than 5 min in the future', payload: { ts: NOW + 300_001, laeq: 50 }, field: 'ts', expected: /at most 5 minutes ahead .*2026-11-28T12:00:00\.000Z/, got: /^1795867500001$/ },
    { name: 'RFC 3339 ts in the future by its offset', payload: { ts: '2026-11-28T12:10:00-00:00', laeq: 50 }, field: 'ts', expected: /at most 5 minutes ahead/, got: /2026-11-28T12:10:00-00:00/ },
    { name: 'RFC 3339 without offset', payload: { ts: '2026-11-28T12:00:00', laeq: 50 }, field: 'ts', expected: /RFC 3339|matching/, got: /^"2026-11-28T12:00:00"$/ },
    { name: 'a date without a time', payload: { ts: '2026-11-28', laeq: 50 }, field: 'ts', expected: /RFC 3339|matching/, got: /^"2026-11-28"$/ },
    { name: 'impossible date 2026-02-30', payload: { ts: '2026-02-30T12:00:00Z', laeq: 50 }, field: 'ts', expected: /^a valid date and time$/, got: /^"2026-02-30T12:00:00Z"$/ },
    { name: 'impossible month 13', payload: { ts: '2026-13-01T00:00:00Z', laeq: 50 }, field: 'ts', expected: /^a valid date and time$/, got: /2026-13-01/ },
    { name: 'oversize payload', payload: { ts: NOW, laeq: 50, pad: 'x'.repeat(5000) }, field: '(payload)', expected: /^at most 4096 bytes$/, got: /^5039 bytes$/ },
    { name: 'unknown device type in topic', topic: topic('smoke_detector', 'telemetry'), payload: { ts: NOW }, field: 'topic', expected: /device topic/, got: /deviceType: expected one of noise, waste_bin, ev_charger, water_meter, gas_meter, access_gate, got "smoke_detector"/ },
    { name: 'uppercase device id', topic: topic('noise', 'telemetry', 'Dev-1'), payload: { ts: NOW, laeq: 50 }, field: 'topic', expected: /device topic/, got: /deviceId: .* got "Dev-1"/ },
    { name: 'device id of 65 characters', topic: topic('noise', 'telemetry', 'a'.repeat(65)), payload: { ts: NOW, laeq: 50 }, field: 'topic', expected: /device topic/, got: /deviceId/ },
    { name: 'wildcard + as device id', topic: topic('noise', 'telemetry', '+'), payload: { ts: NOW, laeq: 50 }, field: 'topic', expected: /device topic/, got: /deviceId: .* got "\+"/ },
    { name: 'wildcard # inside device id', topic: topic('noise', 'telemetry', 'dev#1'), payload: { ts: NOW, laeq: 50 }, field: 'topic', expected: /device topic/, got: /deviceId: .* got "dev#1"/ },
    { name: 'uppercase community id', topic: topic('noise', 'telemetry', 'dev-1', 'Demo'), payload: { ts: NOW, laeq: 50 }, field: 'topic', expected: /device topic/, got: /communityId: .* got "Demo"/, community: null },
    { name: 'wrong channel', topic: topic('noise', 'command'), payload: { ts: NOW, laeq: 50 }, field: 'topic', expected: /device topic/, got: /channel: expected telemetry, event or status, got "command"/ },
    { name: 'too many topic levels', topic: `${topic('noise', 'telemetry')}/x`, payload: { ts: NOW, laeq: 50 }, field: 'topic', expected: /device topic/, got: /expected gc\/\{communityId\}/, community: null },
    { name: 'wrong topic root', topic: 'xx/demo/noise/dev-1/telemetry', payload: { ts: NOW, laeq: 50 }, field: 'topic', expected: /device topic/, got: /expected gc\//, community: null },
    { name: 'unknown event type', topic: topic('noise', 'event'), payload: { ts: NOW, type: 'boom' }, field: 'type', expected: /^one of "horn" \(events of noise\)$/, got: /^"boom"$/ },
    { name: 'event without type', topic: topic('waste_bin', 'event'), payload: { ts: NOW }, field: 'type', expected: /^one of "emptied", "contamination", "tilt" \(events of waste_bin\)$/, got: /^nothing$/ },
    { name: 'event type inherited from Object.prototype', topic: topic('access_gate', 'event'), payload: { ts: NOW, type: 'toString' }, field: 'type', expected: /events of access_gate/, got: /^"toString"$/ },
    { name: 'another device type\'s event', topic: topic('noise', 'event'), payload: { ts: NOW, type: 'tamper' }, field: 'type', expected: /events of noise/, got: /^"tamper"$/ },
    { name: 'horn without lmax', topic: topic('noise', 'event'), payload: { ts: NOW, type: 'horn' }, field: 'lmax', expected: /^a number$/, got: /^nothing$/ },
    { name: 'leak_alarm without methaneLel', topic: topic('gas_meter', 'event'), payload: { ts: NOW, type: 'leak_alarm' }, field: 'methaneLel', expected: /^a number$/, got: /^nothing$/ },
    { name: 'session_end without energyKwh', topic: topic('ev_charger', 'event'), payload: { ts: NOW, type: 'session_end' }, field: 'energyKwh', expected: /^a number$/, got: /^nothing$/ },
    { name: 'open with an unknown method', topic: topic('access_gate', 'event'), payload: { ts: NOW, type: 'open', method: 'fingerprint' }, field: 'method', expected: /"card", "face", "qr", "password", "remote"/, got: /^"fingerprint"$/ },
    { name: 'held_open with seconds as a string', topic: topic('access_gate', 'event'), payload: { ts: NOW, type: 'held_open', seconds: '10' }, field: 'seconds', expected: /^a number$/, got: /^string "10"$/ },
    { name: 'control character in a fault code', topic: topic('ev_charger', 'event'), payload: { ts: NOW, type: 'fault', code: 'E\u0007' }, field: 'code', expected: /control characters|matching/, got: /E\\u0007/ },
    { name: 'newline in firmware version', topic: topic('noise', 'status'), payload: { online: true, fw: '1.0\nmalicious' }, field: 'fw', expected: /control characters|matching/, got: /1\.0\\nmalicious/ },
    { name: 'empty fault code', topic: topic('ev_charger', 'event'), payload: { ts: NOW, type: 'fault', code: '' }, field: 'code', expected: /length ≥ 1/, got: /^""$/ },
    { name: 'status online as a string', topic: topic('noise', 'status'), payload: { online: 'false' }, field: 'online', expected: /^a boolean$/, got: /^string "false"$/ },
    { name: 'status without online', topic: topic('noise', 'status'), payload: { battery: 50 }, field: 'online', expected: /^a boolean$/, got: /^nothing$/ },
    { name: 'status rssi above 0 dBm', topic: topic('noise', 'status'), payload: { online: true, rssi: 5 }, field: 'rssi', expected: /^a number ≤ 0$/, got: /^5$/ },
    { name: 'negative seq', payload: { ts: NOW, laeq: 50, seq: -1 }, field: 'seq', expected: /^a number ≥ 0$/, got: /^-1$/ },
    { name: 'fractional seq', payload: { ts: NOW, laeq: 50, seq: 1.5 }, field: 'seq', expected: /^an integer$/, got: /^number 1\.5$/ },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const r = rejected(validate(c.topic ?? T, c.payload));
      const problem = r.problems[0];
      assert.ok(problem, 'at least one problem');
      assert.equal(problem.field, c.field);
      assert.match(problem.expected, c.expected);
      assert.match(problem.got, c.got);
      if (c.field === 'topic') {
        // the whole reason is the topic parser's own, which names the segment
        assert.match(r.reason, /^topic/);
      } else {
        assert.ok(r.reason.startsWith(`${c.field}: expected `), r.reason);
        assert.ok(r.reason.includes(', got '), r.reason);
      }
      if (c.community === null) assert.equal(r.communityId, undefined);
      else assert.equal(r.communityId, c.community ?? 'demo');
    });
  }

  it(`has at least 25 distinct kinds of malformed message (${cases.length})`, () => {
    assert.ok(cases.length >= 25);
    assert.equal(new Set(cases.map((c) => c.name)).size, cases.length);
  });

  it('every problem of a message is reported, separated by "; "', () => {
    const r = rejected(validate(topic('waste_bin', 'telemetry'), { ts: NOW, fillPct: 101, category: 'glass' }));
    assert.deepEqual(
      r.problems.map((p) => p.field),
      ['fillPct', 'category'],
    );
    assert.equal(r.reason, 'fillPct: expected a number ≤ 100, got 101; category: expected one of "recyclable", "hazardous", "kitchen", "other", got "glass"');
  });

  it('a 4096-byte payload is accepted; 4097 bytes are not', () => {
    const base = `{"ts":${NOW},"laeq":50,"pad":""}`;
    const exact = base.replace('""', `"${'x'.repeat(4096 - base.length)}"`);
    assert.equal(Buffer.byteLength(exact), 4096);
    accepted(validate(T, exact));
    const over = base.replace('""', `"${'x'.repeat(4097 - base.length)}"`);
    assert.equal(rejected(validate(T, over)).reason, '(payload): expected at most 4096 bytes, got 4097 bytes');
  });

  it('size counts UTF-8 bytes, not characters', () => {
    const base = `{"ts":${NOW},"laeq":50,"note":""}`;
    // 1500 × "噪" (3 bytes each) = 4500 bytes, though only 1500 characters
    const payload = base.replace('""', `"${'噪'.repeat(1500)}"`);
    assert.ok(payload.length < 4096);
    assert.match(rejected(validate(T, payload)).reason, /got 45\d\d bytes/);
  });

  it('an oversize payload is refused before it is parsed (even if it is not JSON)', () => {
    assert.match(rejected(validate(T, 'x'.repeat(5000))).reason, /at most 4096 bytes, got 5000 bytes/);
  });

  it('a topic problem is reported before any payload problem', () => {
    const r = rejected(validate(topic('smoke_detector', 'telemetry'), 'not json'));
    assert.equal(r.problems.length, 1);
    assert.equal(r.problems[0].field, 'topic');
  });

  it('1e400 (JSON.parse makes it Infinity) is refused, naming the field and a finite number', () => {
    const r = rejected(validate(T, '{"ts":1795867200000,"laeq":1e400}'));
    assert.equal(r.problems.length, 1);
    assert.equal(r.problems[0].field, 'laeq');
    assert.equal(r.problems[0].expected, 'a number');
  });

  it('-1e400 in an optional field is refused too', () => {
    const r = rejected(validate(T, '{"ts":1795867200000,"laeq":50,"lmin":-1e400}'));
    assert.equal(r.problems[0].field, 'lmin');
  });

  it('whitespace around the JSON object is fine', () => {
    accepted(validate(T, `  \n{"ts":${NOW},"laeq":50}\n  `));
  });
});
