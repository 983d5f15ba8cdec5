import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { HttpError } from '@influxdata/influxdb-client';
import { ConfigError, loadAppConfig } from '#config';
import { MetricsRegistry } from '#observability';
import { FileDeviceSecretStore, LineProtocolError, PointWriter, messageToLine, toLine } from '#storage';
import { CommunityConfigError, parseCommunityConfig } from '#contracts';
import { validateDeviceMessage } from '#contracts';

const NOW = 1_795_867_200_000;
const v = (t: string, p: string) => validateDeviceMessage(t, Buffer.from(p), NOW);

describe('regressions found by the unit-test review (B1–B18)', () => {
  it('B1 YAML syntax error carries its line', () => {
    try {
      parseCommunityConfig('id: demo\nname: D\ndevices:\n  - {id: x, type: noise\n');
      assert.fail('no error');
    } catch (e) {
      assert.ok(e instanceof CommunityConfigError);
      assert.equal(typeof e.problems[0].line, 'number');
      assert.match(e.message, /line \d+/);
    }
  });
  it('B2 1e400 rejection says what came (Infinity), not "number null"', () => {
    const r = v('gc/demo/noise/d/telemetry', '{"ts":1795867200000,"laeq":1e400}');
    assert.ok(!r.ok);
    assert.match(r.problems[0].got, /Infinity/);
  });
  it('B3 null rejection says "null" once', () => {
    const r = v('gc/demo/noise/d/telemetry', '{"ts":1795867200000,"laeq":null}');
    assert.ok(!r.ok);
    assert.equal(r.problems[0].got, 'null');
  });
  it('B4 seq beyond 2^53 is one problem, not two', () => {
    const r = v('gc/demo/noise/d/telemetry', '{"ts":1795867200000,"laeq":50,"seq":9007199254740993}');
    assert.ok(!r.ok);
    assert.equal(r.problems.length, 1);
  });
  it('B5 ev_charger fault code has one field type in InfluxDB', () => {
    const a = v('gc/demo/ev_charger/e/event', '{"ts":1795867200000,"type":"fault","code":"E42"}');
    const b = v('gc/demo/ev_charger/e/event', '{"ts":1795867200000,"type":"fault","code":42}');
    assert.ok(a.ok && b.ok);
    const typeOf = (line: string) => (/code=("?)/.exec(line)?.[1] ? 'string' : 'number');
    assert.equal(typeOf(messageToLine(a.message, undefined)), typeOf(messageToLine(b.message, undefined)));
  });
  it('B6 measurement with a trailing backslash is refused', () => {
    assert.throws(() => toLine('m\\', { a: 'b' }, { f: 1 }, 1), LineProtocolError);
  });
  it('B7 measurement starting with # (a comment line) is refused or escaped', () => {
    assert.throws(() => toLine('#m', {}, { f: 1 }, 1), LineProtocolError);
  });
  it('B8 empty tag key and empty field key are refused', () => {
    assert.throws(() => toLine('m', { '': 'x' }, { f: 1 }, 1), LineProtocolError);
    assert.throws(() => toLine('m', {}, { '': 1 }, 1), LineProtocolError);
  });
  it('B9 413 at batch size 1 is a refusal (onRejected), not an endless retry', async () => {
    const rejected: string[][] = [];
    let calls = 0;
    const pending: (() => void)[] = [];
    const timers = { setTimeout: ((fn: () => void) => (pending.push(fn), 0)) as unknown as typeof setTimeout, clearTimeout: (() => undefined) as typeof clearTimeout };
    const w = new PointWriter({ write: async () => { calls++; throw new HttpError(413, 'too large'); } }, { batchSize: 1, flushIntervalMs: 1, timers, onRejected: (l) => rejected.push(l) });
    w.enqueue('huge');
    for (let i = 0; i < 10; i++) { pending.splice(0).forEach((f) => f()); await new Promise((r) => setImmediate(r)); }
    assert.deepEqual(rejected, [['huge']], `${calls} requests, none refused for good`);
  });
  it('B10 after a 413, later batches do not hit 413 again (8 lines, limit 2: 4 requests + 2 probes)', async () => {
    const bodies: string[] = [];
    const w = new PointWriter({ write: async (b) => { bodies.push(b); if (b.split('\n').length > 2) throw new HttpError(413, 'x'); } }, { batchSize: 8, flushIntervalMs: 1 });
    await w.write(Array.from({ length: 8 }, (_, i) => `l${i}`));
    assert.deepEqual(bodies.map((b) => b.split('\n').length), [8, 4, 2, 2, 2, 2]);
  });
  it('B11 concurrent issue() on one store keeps every secret', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gw-bug-'));
    try {
      const store = new FileDeviceSecretStore(join(dir, 's.json'));
      const ids = ['a', 'b', 'c', 'd'];
      const secrets = await Promise.all(ids.map((id) => store.issue({ communityId: 'demo', deviceType: 'noise', deviceId: id })));
      for (const [i, id] of ids.entries()) assert.equal((await store.verify(id, secrets[i])).length, 1, id);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
  it('B12 MQTT_PORT=abc error says got "abc"', () => {
    try { loadAppConfig({ MQTT_PORT: 'abc' }); assert.fail(); } catch (e) { assert.ok(e instanceof ConfigError); assert.match(e.problems[0].message, /got "abc"/); }
  });
  it('B13 an empty MQTT_PORT means the default, not port 0', () => {
    assert.equal(loadAppConfig({ MQTT_PORT: '' }).mqtt.port, 1883);
  });
  it('B14 INFLUX_API=v2 without INFLUX_URL does not print secrets', () => {
    try { loadAppConfig({ INFLUX_API: 'v2', INFLUX_TOKEN: 'TOPSECRET', MQTT_PASSWORD: 'PW' }); assert.fail(); } catch (e) { assert.ok(e instanceof ConfigError); assert.doesNotMatch(e.message, /TOPSECRET|"PW"/); }
  });
  it('B15 range messages read once: "expected a number ≤ 65535"', () => {
    try { loadAppConfig({ MQTT_PORT: '70000' }); assert.fail(); } catch (e) { assert.ok(e instanceof ConfigError); assert.doesNotMatch(e.problems[0].message, /expected Too big/); }
  });
  it('B16 HELP text escapes backslash and newline', () => {
    const r = new MetricsRegistry();
    r.counter('x_total', 'line1\nline2 \\');
    assert.match(r.render(), /^# HELP x_total line1\\nline2 \\\\$/m);
  });
  it('B17 the same name as counter and gauge is refused', () => {
    const r = new MetricsRegistry();
    r.counter('x', 'one');
    assert.throws(() => r.gauge('x', 'two'));
  });
  it('B18 get() does not create a series', () => {
    const r = new MetricsRegistry();
    const c = r.counter('x_total', 'X');
    c.get({ community: 'nobody' });
    assert.doesNotMatch(r.render(), /nobody/);
  });
});
