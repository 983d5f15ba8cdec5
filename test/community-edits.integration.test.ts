import assert from 'node:assert/strict';
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type MqttClient, connectAsync } from 'mqtt';
import { deviceTopic, parseCommunityConfig } from '#contracts';
import { ADMIN_KEY, ApiStack, call } from './support/api-stack.js';
import { type TestInflux, readPoints, startTestInflux, waitFor } from './support/index.js';

/**
 * A community edited through the api reaches the running ingest and rules, through the real
 * broker, InfluxDB and files: PUT /api/communities/{id} writes the community's file, the ingest
 * and the rules follow COMMUNITY_CONFIG_DIR (CommunityConfigFollower), and a noise meter added
 * that way is stored with its compound and zone and judged by its zone's night limit, without a
 * restart. A file the api cannot write fails the call and changes nothing; a file edited by hand
 * reaches the api as well.
 */
const C = 'ce';
const YAML = `id: ${C}\nname: 配置测试社区\ntimezone: Asia/Shanghai\ncompounds:\n  - {id: c1, name: 一号小区}\ndevices:\n  - {id: n-01, type: noise, compound: c1, zone: "1"}\n`;
// 22:00 Shanghai two days ago: a night in the past (GB 3096 class 1 night limit 45 dB(A))
const NIGHT = Math.floor((Date.now() + 8 * 3600_000) / 86_400_000) * 86_400_000 - 8 * 3600_000 - 2 * 86_400_000 + 22 * 3600_000;

let influx: TestInflux;
let stack: ApiStack;
let device: MqttClient;

before(async () => {
  influx = await startTestInflux();
  stack = await ApiStack.start({ influxUrl: influx.url, database: 'gw_community_edits', communities: { [C]: YAML }, env: { COMMUNITY_CONFIG_POLL_S: '0.1' } });
  device = await connectAsync(stack.pipeline.mqttUrl, { clientId: 'community-edit-devices', reconnectPeriod: 0 });
});
after(async () => {
  await device?.endAsync();
  await stack?.stop();
  await influx?.stop();
});

/** A gauge of a service's /metrics. */
async function gauge(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.slice(name.length + 1)) : Number.NaN;
}

describe('a community edited through the api', () => {
  it('reaches the running ingest and rules: a meter added there is stored with its tags and judged by its zone', async () => {
    const doc = (await call(stack.url, `/api/communities/${C}`, { key: ADMIN_KEY })).body;
    const edited = { ...doc, devices: [...doc.devices, { id: 'n-02', type: 'noise', compound: 'c1', zone: '1' }] };
    const saved = await call(stack.url, `/api/communities/${C}`, { key: ADMIN_KEY, method: 'PUT', body: edited });
    assert.equal(saved.status, 200, saved.text);

    const file = parseCommunityConfig(await readFile(join(stack.pipeline.config.communityConfigDir, `${C}.yaml`), 'utf8'));
    assert.deepEqual(file.devices.map((d) => d.id), ['n-01', 'n-02'], 'written to the community file');
    const rulesUrl = `http://127.0.0.1:${stack.config.rules.port}`;
    await waitFor(async () => [await gauge(stack.pipeline.ingestUrl, 'greenwatch_ingest_configured_devices'), await gauge(rulesUrl, 'greenwatch_rules_configured_devices')], (n) => n[0] === 2 && n[1] === 2, { timeoutMs: 10_000, intervalMs: 50 });

    // 40 night minutes at 50 dB(A): over class 1's 45 for more than the rule's 30-minute span
    for (let i = 0; i < 40; i++) await device.publishAsync(deviceTopic({ communityId: C, deviceType: 'noise', deviceId: 'n-02' }, 'telemetry'), JSON.stringify({ ts: NIGHT + i * 60_000, seq: i, laeq: 50 }), { qos: 1 });

    const alerts = await waitFor(async () => (await call(stack.url, `/api/alerts?community=${C}&rule=noise.zone_limit`, { key: ADMIN_KEY })).body.alerts as { deviceId: string; severity: string }[], (a) => a.length > 0, { timeoutMs: 15_000, intervalMs: 100 });
    assert.deepEqual(alerts.map((a) => [a.deviceId, a.severity]), [['n-02', 'warning']]);
    const points = await waitFor(() => readPoints(influx.connection('gw_community_edits'), 'noise', `"device" = 'n-02'`), (p) => p.length === 40, { timeoutMs: 10_000, intervalMs: 100 });
    assert.deepEqual([...new Set(points.map((p) => `${String(p.compound)} ${String(p.zone)}`))], ['c1 1'], 'tagged from the edited configuration');
  });

  it('a community file the api cannot write fails the call with 503 and changes nothing', async () => {
    const before = (await call(stack.url, `/api/communities/${C}`, { key: ADMIN_KEY })).body;
    // the temp file the api writes first is taken by a directory: the write fails
    const blocker = join(stack.pipeline.config.communityConfigDir, `${C}.yaml.${process.pid}.tmp`);
    await mkdir(blocker);
    const failed = await call(stack.url, `/api/communities/${C}`, { key: ADMIN_KEY, method: 'PUT', body: { ...before, name: '改不了' } });
    assert.deepEqual([failed.status, failed.body.error?.code], [503, 'unavailable'], failed.text);
    assert.match(failed.body.error.message, /cannot write the community file .*ce\.yaml.*nothing was changed/);
    assert.equal((await call(stack.url, `/api/communities/${C}`, { key: ADMIN_KEY })).body.name, before.name);
    assert.equal(parseCommunityConfig(await readFile(join(stack.pipeline.config.communityConfigDir, `${C}.yaml`), 'utf8')).name, before.name);
    await rmdir(blocker);
  });

  it('never overwrites a file that holds another community: a new community whose {id}.yaml is taken is a conflict', async () => {
    const dir = stack.pipeline.config.communityConfigDir;
    const other = YAML.replace(`id: ${C}`, 'id: yy').replace('配置测试社区', '别人的社区');
    await writeFile(join(dir, 'zz.yaml'), other);
    const created = await call(stack.url, '/api/communities/zz', { key: ADMIN_KEY, method: 'PUT', body: { id: 'zz', name: 'ZZ', compounds: [{ id: 'c1', name: 'C' }], devices: [] } });
    assert.deepEqual([created.status, created.body.error?.code], [409, 'conflict'], created.text);
    assert.match(created.body.error.message, /zz\.yaml holds community yy/);
    assert.equal(await readFile(join(dir, 'zz.yaml'), 'utf8'), other, 'untouched');
    assert.equal((await call(stack.url, '/api/communities/zz', { key: ADMIN_KEY })).status, 404, 'nothing stored');
  });

  it('a file edited by hand reaches the api too', async () => {
    const path = join(stack.pipeline.config.communityConfigDir, `${C}.yaml`);
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.replace(/^name: .*$/m, 'name: 手改的名字'));
    const doc = await waitFor(async () => (await call(stack.url, `/api/communities/${C}`, { key: ADMIN_KEY })).body, (d) => d.name === '手改的名字', { timeoutMs: 10_000, intervalMs: 50 });
    assert.deepEqual(doc.devices.map((d: { id: string }) => d.id), ['n-01', 'n-02']);
  });

  it('an override the rules could not apply is refused by the api, naming the field', async () => {
    const doc = (await call(stack.url, `/api/communities/${C}`, { key: ADMIN_KEY })).body;
    const bad = await call(stack.url, `/api/communities/${C}`, { key: ADMIN_KEY, method: 'PUT', body: { ...doc, rules: { 'waste.overflow': { warnig: 85 } } } });
    assert.deepEqual([bad.status, bad.body.error?.code, bad.body.error?.parameter], [400, 'bad_parameter', 'rules.waste.overflow.warnig'], bad.text);
  });
});
