import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { type MqttClient, connectAsync } from 'mqtt';
import { deviceTopic } from '#contracts';
import { ADMIN_KEY, ApiStack, call } from './support/api-stack.js';
import { type TestInflux, startTestInflux, waitFor } from './support/index.js';

/**
 * P4 access and input checks over real HTTP against the real pipeline: no or bad key 401, another
 * community 403, an inspector cannot change anything, bad parameters 400 naming the parameter,
 * and SQL and InfluxQL injection attempts in every parameter change nothing and leak nothing.
 * Also: readings (energy average from InfluxDB), the CLI's keys, /health, /metrics, /api/docs,
 * criteria and evidence.
 */
const A = `id: aa\nname: 甲社区\ntimezone: Asia/Shanghai\ncompounds:\n  - {id: c1, name: 一号小区, propertyManaged: true, parkingSpaces: 10}\ndevices:\n  - {id: n-01, type: noise, compound: c1, zone: "1"}\n  - {id: g-01, type: access_gate, compound: c1}\n`;
const B = `id: ab\nname: 乙社区\ncompounds:\n  - {id: c1, name: C}\ndevices:\n  - {id: n-01, type: noise, compound: c1, zone: "2"}\n`;
const BASE = Math.floor((Date.now() - 60 * 60_000) / 600_000) * 600_000; // a 10-minute bucket boundary
const run = promisify(execFile);

let influx: TestInflux;
let stack: ApiStack;
let device: MqttClient;
const keys = { managerA: '', managerB: '', inspector: '', cliInspector: '' };
let alertId = '';

const get = (path: string, key?: string) => call(stack.url, path, { key });
const errorShape = (r: { status: number; body: any }, status: number, code: string) => {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.equal(r.body.error.code, code);
  assert.equal(typeof r.body.error.message, 'string');
  assert.deepEqual(Object.keys(r.body), ['error']);
};

before(async () => {
  influx = await startTestInflux();
  stack = await ApiStack.start({ influxUrl: influx.url, database: 'gw_api_access', communities: { aa: A, ab: B } });
  device = await connectAsync(stack.pipeline.mqttUrl, { clientId: 'api-access-devices', reconnectPeriod: 0 });
  const make = async (body: object) => (await call(stack.url, '/api/keys', { key: ADMIN_KEY, method: 'POST', body })).body.key as string;
  keys.managerA = await make({ role: 'manager', communities: ['aa'] });
  keys.managerB = await make({ role: 'manager', communities: ['ab'] });
  keys.inspector = await make({ role: 'inspector', label: '住建局检查员' });
  const cli = await run(process.execPath, [join('dist', 'scripts', 'cli.js'), 'key', 'create', '--role', 'inspector', '--label', 'from the CLI'], { env: { ...process.env, ...stack.pipeline.env } });
  keys.cliInspector = cli.stdout.split('\n')[0];

  // 10 minutes of noise alternating 40 and 60 dB(A), then a forced gate, through the real pipeline
  // (in event-time order: the rules judge a message later than their 1 s lateness not at all)
  const publish = (deviceType: 'noise' | 'access_gate', deviceId: string, channel: 'telemetry' | 'event', body: object) =>
    device.publishAsync(deviceTopic({ communityId: 'aa', deviceType, deviceId }, channel), JSON.stringify(body), { qos: 1 });
  for (let m = 0; m < 10; m++) await publish('noise', 'n-01', 'telemetry', { ts: BASE + m * 60_000, laeq: m % 2 ? 60 : 40 });
  await publish('access_gate', 'g-01', 'event', { ts: BASE + 570_000, type: 'forced_open' });
  await publish('access_gate', 'g-01', 'telemetry', { ts: BASE + 11 * 60_000, doorClosed: true });
  const alerts = await waitFor(async () => (await get('/api/alerts?community=aa', keys.managerA)).body.alerts ?? [], (a: any[]) => a.length >= 1);
  alertId = alerts[0].alertId;
  await waitFor(async () => (await get(`/api/readings?device=n-01&community=aa&from=${BASE}&to=${BASE + 600_000}&every=10m`, keys.managerA)).body.points?.length ?? 0, (n) => n === 1);
});

after(async () => {
  await device?.endAsync();
  await stack?.stop();
  await influx?.stop();
});

describe('authentication: 401', () => {
  for (const [what, headers] of [
    ['no Authorization header', {}],
    ['an unknown key', { authorization: 'Bearer gwk_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }],
    ['a key with a character more', { authorization: `Bearer ${ADMIN_KEY}x` }],
    ['Basic instead of Bearer', { authorization: `Basic ${Buffer.from(`admin:${ADMIN_KEY}`).toString('base64')}` }],
    ['a SQL injection as the key', { authorization: "Bearer ' OR '1'='1" }],
  ] as const) {
    it(`${what}: 401 on every /api route`, async () => {
      for (const path of ['/api/communities', '/api/alerts', `/api/alerts/${alertId}`, '/api/devices', '/api/readings?device=n-01', '/api/criteria?community=aa', '/api/alerts/stream']) {
        errorShape(await call(stack.url, path, { headers }), 401, 'unauthorized');
      }
      errorShape(await call(stack.url, `/api/alerts/${alertId}/ack`, { headers, method: 'POST', body: {} }), 401, 'unauthorized');
    });
  }
  it('a revoked key stops working', async () => {
    const created = await call(stack.url, '/api/keys', { key: ADMIN_KEY, method: 'POST', body: { role: 'inspector' } });
    assert.equal((await get('/api/communities', created.body.key)).status, 200);
    assert.equal((await call(stack.url, `/api/keys/${created.body.record.id}`, { key: ADMIN_KEY, method: 'DELETE' })).status, 200);
    errorShape(await get('/api/communities', created.body.key), 401, 'unauthorized');
  });
  it('/health, /metrics and /api/docs need no key', async () => {
    for (const path of ['/health', '/metrics', '/api/docs']) assert.equal((await get(path)).status, 200, path);
  });
});

describe('scope: 403', () => {
  it('a manager sees only its community, and gets 403 for another', async () => {
    assert.deepEqual((await get('/api/communities', keys.managerA)).body.communities.map((c: any) => c.id), ['aa']);
    assert.deepEqual((await get('/api/devices', keys.managerA)).body.devices.map((d: any) => `${d.communityId}/${d.id}`), ['aa/g-01', 'aa/n-01']);
    assert.deepEqual((await get('/api/alerts', keys.managerB)).body.alerts, []);
    for (const path of ['/api/alerts?community=aa', '/api/devices?community=aa', '/api/readings?device=n-01&community=aa', `/api/alerts/${alertId}`, '/api/communities/aa', '/api/communities/aa/notification-policy', '/api/criteria?community=aa', '/api/evidence/12?community=aa', '/api/alerts/stream?community=aa']) {
      errorShape(await get(path, keys.managerB), 403, 'forbidden');
    }
    errorShape(await call(stack.url, `/api/alerts/${alertId}/ack`, { key: keys.managerB, method: 'POST', body: { by: 'x' } }), 403, 'forbidden');
    errorShape(await call(stack.url, '/api/communities/aa/notification-policy', { key: keys.managerB, method: 'PUT', body: { channels: [] } }), 403, 'forbidden');
    errorShape(await call(stack.url, '/api/keys', { key: keys.managerA, method: 'POST', body: { role: 'admin' } }), 403, 'forbidden');
  });

  it('an inspector (API or CLI key) reads every community and cannot acknowledge or change anything', async () => {
    for (const key of [keys.inspector, keys.cliInspector]) {
      assert.deepEqual((await get('/api/communities', key)).body.communities.map((c: any) => c.id), ['aa', 'ab']);
      assert.equal((await get(`/api/alerts/${alertId}`, key)).status, 200);
      errorShape(await call(stack.url, `/api/alerts/${alertId}/ack`, { key, method: 'POST', body: { by: '检查员' } }), 403, 'forbidden');
      errorShape(await call(stack.url, `/api/alerts/${alertId}/resolve`, { key, method: 'POST', body: { by: '检查员', comment: 'x' } }), 403, 'forbidden');
      errorShape(await call(stack.url, '/api/communities/aa/attestations', { key, method: 'POST', body: { criterion: '1', title: 't' } }), 403, 'forbidden');
    }
    assert.equal((await get(`/api/alerts/${alertId}`, keys.managerA)).body.alert.state, 'open', 'nothing changed');
  });
});

describe('bad parameters: 400 naming the parameter', () => {
  const cases: [string, string, string?][] = [
    ['/api/alerts?state=closed', 'state'],
    ['/api/alerts?state=open&state=resolved', 'state'],
    ['/api/alerts?criterion=abc', 'criterion'],
    ['/api/alerts?rule=noise.everything', 'rule'],
    ['/api/alerts?from=yesterday', 'from'],
    ['/api/alerts?from=2026-01-02T00:00:00', 'from'],
    ['/api/alerts?from=2000&to=1000', 'from'],
    ['/api/alerts?limit=0', 'limit'],
    ['/api/alerts?foo=bar', 'foo'],
    ['/api/readings', 'device'],
    ['/api/readings?device=n-01&community=aa&every=1w', 'every'],
    ['/api/readings?device=n-01&community=aa&every=10s&from=1767225600000&to=1769817600000', 'every'],
    ['/api/readings?device=n-01', 'community', 'admin'],
    ['/api/devices?community=A', 'community'],
    ['/api/criteria', 'community'],
    ['/api/evidence/99?community=aa', 'criterion'],
    ['/api/evidence/12?community=aa&format=pdf', 'format'],
    ['/api/alerts/%20bad%20id', 'alertId'],
  ];
  for (const [path, parameter, who] of cases) {
    it(`${path} -> ${parameter}`, async () => {
      const r = await get(path, who === 'admin' ? ADMIN_KEY : keys.managerA);
      errorShape(r, 400, 'bad_parameter');
      assert.equal(r.body.error.parameter, parameter);
      assert.match(r.body.error.message, new RegExp(`^${parameter}: `));
    });
  }
  it('bodies: wrong type, too long, unknown field, malformed JSON, missing comment', async () => {
    const post = (path: string, body?: unknown, rawBody?: string) => call(stack.url, path, { key: keys.managerA, method: 'POST', body, rawBody });
    for (const [body, parameter] of [[{ by: 5 }, 'by'], [{ by: 'x', comment: 'y'.repeat(3000) }, 'comment'], [{ by: 'x', admin: true }, 'admin']] as const) {
      const r = await post(`/api/alerts/${alertId}/ack`, body);
      errorShape(r, 400, 'bad_parameter');
      assert.equal(r.body.error.parameter, parameter);
    }
    const malformed = await post(`/api/alerts/${alertId}/ack`, undefined, '{"by": ');
    errorShape(malformed, 400, 'bad_parameter');
    assert.equal(malformed.body.error.parameter, 'body');
    const noComment = await post(`/api/alerts/${alertId}/resolve`, { by: 'x' });
    assert.equal(noComment.body.error.parameter, 'comment');
    const sse = await call(stack.url, '/api/alerts/stream', { key: keys.managerA, headers: { 'last-event-id': 'abc' } });
    errorShape(sse, 400, 'bad_parameter');
    assert.equal(sse.body.error.parameter, 'Last-Event-ID');
    errorShape(await get('/api/no-such-route', keys.managerA), 404, 'not_found');
    errorShape(await get('/api/alerts/al-doesnotexist', keys.managerA), 404, 'not_found');
  });
});

describe('injection attempts change nothing and leak nothing', () => {
  const PAYLOADS = [
    "' OR '1'='1",
    "aa'; DROP TABLE alerts; --",
    '" OR 1=1 --',
    "n-01' OR device =~ /.*/ --",
    'n-01"; DROP DATABASE gw_api_access',
    "aa' UNION SELECT record FROM alerts --",
    '\\',
    '1; DELETE FROM api_keys',
    '%00',
    '../../etc/passwd',
  ];
  const LEAKS = /sqlite|influx|SELECT|syntax|stack|at \/|node_modules|Error:/i;

  it('in every query parameter of every read endpoint', async () => {
    const endpoints: [string, string[]][] = [
      ['/api/alerts', ['community', 'state', 'criterion', 'rule', 'device', 'from', 'to', 'limit']],
      ['/api/devices', ['community']],
      ['/api/readings?device=n-01&community=aa', ['device', 'community', 'from', 'to', 'every']],
      ['/api/criteria?community=aa', ['community', 'from', 'to']],
      ['/api/evidence/12?community=aa', ['community', 'from', 'to', 'format']],
      ['/api/evidence/10?community=aa', ['community', 'from', 'to', 'format']],
      ['/api/notifications/deliveries', ['community', 'alert', 'limit']],
    ];
    for (const [path, params] of endpoints) {
      for (const param of params) {
        for (const payload of PAYLOADS) {
          const u = new URL(path, stack.url);
          u.searchParams.set(param, payload);
          const r = await call(stack.url, `${u.pathname}${u.search}`, { key: ADMIN_KEY });
          assert.equal(r.status, 400, `${param}=${payload} on ${path}: ${r.text}`);
          assert.equal(r.body.error.parameter, param);
          assert.doesNotMatch(r.text.replace(payload, '').replace(JSON.stringify(payload).slice(1, -1), ''), LEAKS, `${param}=${payload} leaked`);
        }
      }
    }
  });

  it('in path parameters, headers and bodies', async () => {
    for (const payload of PAYLOADS) {
      for (const path of [`/api/alerts/${encodeURIComponent(payload)}`, `/api/communities/${encodeURIComponent(payload)}`, `/api/evidence/${encodeURIComponent(payload)}?community=aa`]) {
        const r = await get(path, ADMIN_KEY);
        assert.ok([400, 404].includes(r.status), `${path}: ${r.status}`);
        assert.doesNotMatch(r.text.replace(payload, ''), LEAKS);
      }
      const ack = await call(stack.url, `/api/alerts/${alertId}/comments`, { key: keys.managerA, method: 'POST', body: { by: payload, comment: payload } });
      assert.equal(ack.status, 200, 'text in bodies is data: stored as given');
      assert.equal(ack.body.alert.alertId, alertId);
    }
    const history = (await get(`/api/alerts/${alertId}`, keys.managerA)).body.history;
    assert.deepEqual(history.filter((h: any) => h.action === 'commented').map((h: any) => h.comment), PAYLOADS);
  });

  it('afterwards the registry and InfluxDB hold exactly what they held', async () => {
    assert.deepEqual((await get('/api/alerts', ADMIN_KEY)).body.alerts.map((a: any) => [a.alertId, a.state]), [[alertId, 'open']]);
    assert.deepEqual((await get('/api/communities', ADMIN_KEY)).body.communities.map((c: any) => c.id), ['aa', 'ab']);
    assert.equal((await get('/api/communities', keys.managerA)).status, 200, 'keys survive');
    const readings = (await get(`/api/readings?device=n-01&community=aa&from=${BASE}&to=${BASE + 600_000}&every=10m`, keys.managerA)).body;
    assert.equal(readings.points.length, 1);
  });
});

describe('readings, registry edits, criteria, evidence, health, metrics, docs', () => {
  it('readings are energy-averaged: 40 and 60 dB(A) minutes average to 57.03, not 50', async () => {
    const r = await get(`/api/readings?device=n-01&community=aa&from=${new Date(BASE).toISOString()}&to=${BASE + 600_000}&every=10m`, keys.managerA);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual({ deviceType: r.body.deviceType, everyMs: r.body.everyMs, points: r.body.points.map((p: any) => [p.t, p.laeq]) }, { deviceType: 'noise', everyMs: 600_000, points: [[BASE, 57.03]] });
    assert.equal((await get('/api/readings?device=n-01', keys.managerA)).body.community, 'aa', 'unambiguous within the caller\'s scope');
  });

  it('a community document is editable by its manager and validated', async () => {
    const doc = (await get('/api/communities/aa', keys.managerA)).body;
    const put = (body: unknown, key = keys.managerA) => call(stack.url, '/api/communities/aa', { key, method: 'PUT', body });
    const saved = await put({ ...doc, name: '甲社区（改）' });
    assert.equal(saved.status, 200, saved.text);
    assert.equal((await get('/api/communities', keys.managerA)).body.communities[0].name, '甲社区（改）');
    const bad = await put({ ...doc, owner: 'x' });
    errorShape(bad, 400, 'bad_parameter');
    assert.equal(bad.body.error.parameter, 'owner');
    assert.equal((await put({ ...doc, id: 'ab' })).body.error.parameter, 'id');
    errorShape(await put(doc, keys.managerB), 403, 'forbidden');
  });

  it('criteria; criterion 12 and 10 evidence (json, csv, html); evidence without sensors (11) is 501 for now', async () => {
    const attest = await call(stack.url, '/api/communities/aa/attestations', { key: keys.managerA, method: 'POST', body: { criterion: '3', title: '绿色社区创建工作方案', documentUrl: 'https://example.org/plan.pdf' } });
    assert.equal(attest.status, 201, attest.text);
    const from = BASE - 3_600_000;
    const to = BASE + 3 * 3_600_000;
    const criteria = (await get(`/api/criteria?community=aa&from=${from}&to=${to}`, keys.managerA)).body.criteria;
    const byId = Object.fromEntries(criteria.map((c: any) => [c.criterion, c]));
    assert.deepEqual([byId['12'].status, byId['12'].alerts.open, byId['10'].status, byId['13'].status, byId['3'].status], ['attention', 1, 'ok', 'ok', 'attested']);
    const evidence = await get(`/api/evidence/12?community=aa&from=${from}&to=${to}`, keys.managerA);
    assert.equal(evidence.status, 200, evidence.text);
    assert.deepEqual(evidence.body.devices.map((d: any) => [d.deviceId, d.hoursWithData, d.hours]), [['g-01', 1, 4]]);
    assert.deepEqual(evidence.body.alarms.map((a: any) => [a.alertId, a.state]), [[alertId, 'open']]);
    assert.equal(evidence.body.verdict.pass, false);
    assert.equal(evidence.body.verdict.reasons.length, 2);
    const csv = await get(`/api/evidence/12?community=aa&from=${from}&to=${to}&format=csv`, keys.managerA);
    assert.match(csv.headers.get('content-type') ?? '', /text\/csv/);
    assert.equal(csv.text.split('\n')[1].split(',')[0], alertId);
    const html = await get(`/api/evidence/12?community=aa&from=${from}&to=${to}&format=html`, keys.managerA);
    assert.match(html.text, /<h1>第12条/);
    const noise = await get(`/api/evidence/10?community=aa&from=${from}&to=${to}`, keys.managerA);
    assert.equal(noise.status, 200, noise.text);
    const meter = noise.body.devices[0];
    assert.deepEqual([meter.deviceId, meter.zone, meter.periods.reduce((n: number, p: any) => n + p.readings, 0)], ['n-01', '1', 10]);
    if (meter.periods.length === 1) assert.equal(meter.periods[0].leq, 57, '40 and 60 dB(A) minutes: 57.0 by energy');
    assert.equal(meter.completeness, Math.round((10 / 240) * 1000) / 1000);
    assert.equal(noise.body.verdict.pass, false);
    assert.match((await get(`/api/evidence/10?community=aa&from=${from}&to=${to}&format=csv`, keys.managerA)).text, /^deviceId,zone,date,period,leq,limit,compliant,readings\nn-01,1,/);
    errorShape(await get('/api/evidence/11?community=aa', keys.managerA), 501, 'not_implemented');
  });

  it('/health reports SQLite, InfluxDB, MQTT and the services; /metrics carries api, ingest and rules', async () => {
    const health = await get('/health');
    assert.equal(health.status, 200, health.text);
    assert.deepEqual([health.body.status, health.body.checks.sqlite.status, health.body.checks.influxdb.status, health.body.checks.mqtt.status, health.body.services.ingest.status, health.body.services.rules.status], ['ok', 'ok', 'ok', 'ok', 'ok', 'ok']);
    const metrics = (await get('/metrics')).text;
    assert.match(metrics, /^greenwatch_api_alert_messages_total\{service="api",outcome="recorded"\} [1-9]/m);
    assert.match(metrics, /^greenwatch_ingest_\w+\{service="ingest"/m);
    assert.match(metrics, /^greenwatch_rules_late_total\{service="rules"\} \d+$/m);
    assert.match(metrics, /^greenwatch_rules_event_loop_delay_seconds\{service="rules",quantile="0.99"\} /m);
    // one exposition: each family declared once, though three services' metrics are in it
    const families = metrics.split('\n').filter((l) => l.startsWith('# TYPE ')).map((l) => l.split(' ')[2]);
    assert.deepEqual(families.filter((f, i) => families.indexOf(f) !== i), [], 'families declared twice');

    // the rules stopped: /health is degraded (503) and says so; started again: ok
    await stack.stopRules();
    try {
      const down = await get('/health');
      assert.equal(down.status, 503, down.text);
      assert.deepEqual([down.body.status, down.body.services.rules.status, down.body.services.rules.detail, down.body.services.ingest.status], ['degraded', 'down', 'not reachable', 'ok']);
    } finally {
      await stack.startRules();
    }
    const back = await waitFor(() => get('/health'), (h) => h.status === 200);
    assert.equal(back.body.services.rules.status, 'ok', back.text);
  });

  it('/api/docs is an OpenAPI 3 document of every route with the one error shape', async () => {
    const doc = (await get('/api/docs')).body;
    assert.equal(doc.openapi, '3.1.0');
    for (const path of ['/api/communities', '/api/devices', '/api/readings', '/api/alerts', '/api/alerts/{alertId}/ack', '/api/alerts/{alertId}/resolve', '/api/alerts/stream', '/api/criteria', '/api/evidence/{criterion}', '/health', '/metrics']) assert.ok(doc.paths[path], path);
    assert.deepEqual(Object.keys(doc.components.schemas.Error.properties.error.properties), ['code', 'message', 'parameter']);
    assert.deepEqual(doc.paths['/api/readings'].get.parameters.map((p: any) => p.name).sort(), ['community', 'device', 'every', 'from', 'to']);
    assert.equal(doc.paths['/api/alerts'].get.responses['400'].content['application/json'].schema.$ref, '#/components/schemas/Error');
  });
});
