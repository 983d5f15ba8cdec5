import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type MqttClient, connectAsync } from 'mqtt';
import { deviceTopic } from '#contracts';
import { ADMIN_KEY, ApiStack, call } from './support/api-stack.js';
import { Receiver } from './support/api-receivers.js';
import { SseClient } from './support/api-sse.js';
import { type TestInflux, startTestInflux, waitFor } from './support/index.js';

/**
 * P4 acceptance, end to end over real HTTP with the real pipeline (aedes, ingest, rules, api,
 * influxd): a forced gate becomes an alert in /api/alerts, arrives on the SSE stream, is
 * acknowledged and resolved, and its history shows each step; a held-open gate is resolved by the
 * rule when the door closes; a reconnect with Last-Event-ID loses nothing; notifications reach
 * four local receivers in their channels' formats, and the one that fails twice gets its message
 * exactly once; a redelivered rule message changes nothing; alerts published while the api is
 * down arrive when it is back.
 */
const C = 'ea';
const YAML = `id: ${C}\nname: 告警测试社区\ntimezone: Asia/Shanghai\ncompounds:\n  - {id: c1, name: 一号小区}\ndevices:\n  - {id: g-01, type: access_gate, compound: c1}\n  - {id: g-02, type: access_gate, compound: c1}\n  - {id: g-03, type: access_gate, compound: c1}\n`;
const OTHER = `id: eb\nname: 别的社区\ncompounds:\n  - {id: c1, name: C}\ndevices:\n  - {id: g-01, type: access_gate, compound: c1}\n`;
const NOISE = `id: en\nname: 噪声测试社区\ntimezone: Asia/Shanghai\ncompounds:\n  - {id: c1, name: C}\ndevices:\n  - {id: n-01, type: noise, compound: c1, zone: "1"}\n`;
const BASE = Date.now() - 10 * 60_000;
// 22:00 Shanghai two days ago: a night in the past (GB 3096 class 1 night limit 45 dB(A))
const NIGHT = Math.floor((Date.now() + 8 * 3600_000) / 86_400_000) * 86_400_000 - 8 * 3600_000 - 2 * 86_400_000 + 22 * 3600_000;
const DINGTALK_SECRET = 'SECtest0123456789';
const FEISHU_SECRET = 'feishu-test-secret';

let influx: TestInflux;
let stack: ApiStack;
let device: MqttClient;
let manager: string;
const receivers: Record<'webhook' | 'wecom' | 'dingtalk' | 'feishu', Receiver> = {} as never;

const gate = (id: string, channel: 'telemetry' | 'event', body: Record<string, unknown>) => device.publishAsync(deviceTopic({ communityId: C, deviceType: 'access_gate', deviceId: id }, channel), JSON.stringify(body), { qos: 1 });
const errorShape403 = (r: { status: number; body: any }) => assert.deepEqual([r.status, r.body.error?.code], [403, 'forbidden']);
const alertsOf = async (query: string) => (await call(stack.url, `/api/alerts?${query}`, { key: manager })).body.alerts as any[];

before(async () => {
  influx = await startTestInflux();
  stack = await ApiStack.start({ influxUrl: influx.url, database: 'gw_api_alerts', communities: { ea: YAML, eb: OTHER, en: NOISE } });
  device = await connectAsync(stack.pipeline.mqttUrl, { clientId: 'api-test-devices', reconnectPeriod: 0 });
  const created = await call(stack.url, '/api/keys', { key: ADMIN_KEY, method: 'POST', body: { role: 'manager', communities: [C], label: '物业经理' } });
  assert.equal(created.status, 201, created.text);
  manager = created.body.key;
  receivers.webhook = await Receiver.start({ failFirst: 2, answer: { status: 204, body: '' } });
  receivers.wecom = await Receiver.start({ answer: { status: 200, body: '{"errcode":0,"errmsg":"ok"}' } });
  receivers.dingtalk = await Receiver.start({ answer: { status: 200, body: '{"errcode":0,"errmsg":"ok"}' } });
  receivers.feishu = await Receiver.start({ answer: { status: 200, body: '{"code":0,"msg":"success"}' } });
  const policy = {
    channels: [
      // only the forced gate's raise goes here, so "fails twice, then succeeds" is about one message
      { id: 'ops-hook', type: 'webhook', url: `${receivers.webhook.url}/hook`, severities: ['critical'], actions: ['raised'] },
      { id: 'wecom-group', type: 'wecom', url: `${receivers.wecom.url}/cgi-bin/webhook/send?key=k1` },
      { id: 'dingtalk-group', type: 'dingtalk', url: `${receivers.dingtalk.url}/robot/send?access_token=t1`, secret: DINGTALK_SECRET },
      { id: 'feishu-group', type: 'feishu', url: `${receivers.feishu.url}/open-apis/bot/v2/hook/h1`, secret: FEISHU_SECRET },
    ],
  };
  const saved = await call(stack.url, `/api/communities/${C}/notification-policy`, { key: manager, method: 'PUT', body: policy });
  assert.equal(saved.status, 200, saved.text);
  assert.equal(saved.body.channels[2].secret, '***');
});

after(async () => {
  await device?.endAsync();
  await stack?.stop();
  await Promise.all(Object.values(receivers).map((r) => r.close()));
  await influx?.stop();
});

describe('alert lifecycle through the real pipeline', () => {
  let forcedId: string;
  let lastSeenEventId: string;

  it('a forced gate becomes an open alert in /api/alerts and on the SSE stream', async () => {
    const sse = await SseClient.open(`${stack.url}/api/alerts/stream?community=${C}`, { authorization: `Bearer ${manager}` });
    assert.equal(sse.status, 200);
    await gate('g-01', 'event', { ts: BASE, type: 'forced_open' });
    await gate('g-01', 'telemetry', { ts: BASE + 5000, doorClosed: true }); // moves the community clock past the lateness

    const alerts = await waitFor(() => alertsOf(`community=${C}&rule=security.gate_forced`), (a) => a.length === 1);
    assert.equal(alerts.length, 1);
    const a = alerts[0];
    assert.deepEqual({ rule: a.rule, criterion: a.criterion, severity: a.severity, state: a.state, deviceId: a.deviceId, raisedAt: a.raisedAt }, { rule: 'security.gate_forced', criterion: '12', severity: 'critical', state: 'open', deviceId: 'g-01', raisedAt: BASE });
    forcedId = a.alertId;

    await waitFor(async () => sse.events.length, (n) => n >= 1);
    const first = sse.payloads[0];
    assert.deepEqual([first.alertId, first.action, first.by, first.alert.state], [forcedId, 'raised', 'rule', 'open']);
    assert.match(sse.events[0].id!, /^\d+$/);
    assert.equal(sse.events[0].event, 'alert');

    const acked = await call(stack.url, `/api/alerts/${forcedId}/ack`, { key: manager, method: 'POST', body: { by: '张工', comment: '已到场查看' } });
    assert.equal(acked.status, 200, acked.text);
    assert.equal(acked.body.alert.state, 'acknowledged');
    // a forced opening clears by its acknowledgement (criteria.md): the rule says so, the person still resolves it
    await waitFor(async () => sse.events.length, (n) => n >= 3);
    assert.deepEqual(sse.payloads.map((p) => [p.action, p.by, p.alert.state]), [['raised', 'rule', 'open'], ['acknowledged', '张工', 'acknowledged'], ['cleared', 'rule', 'acknowledged']]);
    assert.ok(Number(sse.events[1].id) > Number(sse.events[0].id), 'event ids increase');
    assert.deepEqual(sse.ids, sse.events.map((e) => e.id), 'no id but those of alert events');
    lastSeenEventId = sse.events[2].id!;
    await sse.close();

    const again = await call(stack.url, `/api/alerts/${forcedId}/ack`, { key: manager, method: 'POST', body: { by: '张工' } });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'conflict');
  });

  it('resolved while the stream was away: a reconnect with Last-Event-ID replays it, and the history shows every step', async () => {
    const resolved = await call(stack.url, `/api/alerts/${forcedId}/resolve`, { key: manager, method: 'POST', body: { by: '张工', comment: '门锁已修复' } });
    assert.equal(resolved.status, 200, resolved.text);
    const sse = await SseClient.open(`${stack.url}/api/alerts/stream?community=${C}`, { authorization: `Bearer ${manager}`, 'last-event-id': lastSeenEventId });
    try {
      await waitFor(async () => sse.events.length, (n) => n >= 1);
      assert.deepEqual(sse.payloads.map((p) => [p.alertId, p.action, p.by, p.comment]), [[forcedId, 'resolved', '张工', '门锁已修复']]);
    } finally {
      await sse.close();
    }
    const detail = await call(stack.url, `/api/alerts/${forcedId}`, { key: manager });
    assert.equal(detail.status, 200);
    assert.deepEqual(
      detail.body.history.map((h: any) => [h.action, h.by, h.comment ?? null, h.alert.state]),
      [
        ['raised', 'rule', null, 'open'],
        ['acknowledged', '张工', '已到场查看', 'acknowledged'],
        ['cleared', 'rule', 'cleared by the acknowledgement', 'acknowledged'],
        ['resolved', '张工', '门锁已修复', 'resolved'],
      ],
    );
    assert.deepEqual(detail.body.alert.resolved, { by: '张工', at: detail.body.alert.resolved.at, comment: '门锁已修复', automatic: false });
    assert.equal((await alertsOf(`community=${C}&state=resolved&criterion=12`)).some((a) => a.alertId === forcedId), true);
    assert.equal((await alertsOf(`community=${C}&state=open`)).some((a) => a.alertId === forcedId), false);
  });

  it('a held-open gate is raised and then resolved by the rule when the door closes', async () => {
    for (const [s, closed] of [[10, false], [40, false], [75, false], [90, true], [95, true]] as const) await gate('g-02', 'telemetry', { ts: BASE + s * 1000, doorClosed: closed });
    const [a] = await waitFor(() => alertsOf(`community=${C}&rule=security.gate_held_open`), (list) => list[0]?.state === 'resolved');
    assert.equal(a?.state, 'resolved');
    const detail = await call(stack.url, `/api/alerts/${a.alertId}`, { key: manager });
    assert.deepEqual(detail.body.history.map((h: any) => [h.action, h.by, h.comment ?? null]), [['raised', 'rule', null], ['resolved', 'rule', 'resolved by rule']]);
    assert.equal(detail.body.alert.resolved.automatic, true);
  });

  it('night noise over the zone limit is raised as a warning and escalated to critical in place', async () => {
    const noise = (m: number, laeq: number) => device.publishAsync(deviceTopic({ communityId: 'en', deviceType: 'noise', deviceId: 'n-01' }, 'telemetry'), JSON.stringify({ ts: NIGHT + m * 60_000, laeq }), { qos: 1 });
    for (let m = 0; m < 30; m++) await noise(m, 50);
    for (let m = 30; m < 33; m++) await noise(m, 70);
    const admin = async () => (await call(stack.url, '/api/alerts?community=en', { key: ADMIN_KEY })).body.alerts as any[];
    const [a] = await waitFor(admin, (list) => list[0]?.severity === 'critical');
    assert.deepEqual([a?.rule, a?.severity, a?.state, a?.raisedAt], ['noise.zone_limit', 'critical', 'open', NIGHT + 29 * 60_000]);
    const history = (await call(stack.url, `/api/alerts/${a.alertId}`, { key: ADMIN_KEY })).body.history;
    assert.deepEqual(history.map((h: any) => [h.action, h.alert.severity, h.comment ?? null]), [['raised', 'warning', null], ['escalated', 'critical', 'warning -> critical']]);
    errorShape403(await call(stack.url, `/api/alerts/${a.alertId}`, { key: manager }));
  });

  it('a redelivered rule message changes nothing', async () => {
    const [a] = await alertsOf(`community=${C}&rule=security.gate_held_open`);
    const before = (await call(stack.url, `/api/alerts/${a.alertId}`, { key: manager })).body.history.length;
    const unchanged = async () => Number(/greenwatch_api_alert_messages_total\{[^}]*outcome="unchanged"[^}]*\} (\d+)/.exec((await call(stack.url, '/metrics')).text)?.[1] ?? 0);
    const start = await unchanged();
    const replay = { alertId: a.alertId, rule: a.rule, criterion: a.criterion, severity: a.severity, state: 'raised', communityId: C, deviceId: 'g-02', deviceType: 'access_gate', at: a.raisedAt, raisedAt: a.raisedAt, message: a.message, context: {} };
    await device.publishAsync(`gc/${C}/alerts`, JSON.stringify(replay), { qos: 1 });
    assert.equal(await waitFor(unchanged, (n) => n > start), start + 1);
    assert.equal((await call(stack.url, `/api/alerts/${a.alertId}`, { key: manager })).body.history.length, before);
  });

  it('notifications reach each channel in its format; the webhook that failed twice got its message exactly once', async () => {
    const deliveries = async () => (await call(stack.url, `/api/notifications/deliveries?community=${C}`, { key: manager })).body.deliveries as any[];
    // forced raise (4 channels, the webhook after 3 attempts), forced resolve (3 robots), held-open raise and resolve (3 robots each)
    const done = await waitFor(deliveries, (d) => d.filter((x) => x.outcome === 'delivered').length === 4 + 3 + 6, { timeoutMs: 20_000 });
    assert.equal(done.filter((x) => x.outcome === 'delivered').length, 13);

    const hook = done.filter((d) => d.channelId === 'ops-hook').sort((a, b) => a.attempt - b.attempt);
    assert.deepEqual(hook.map((d) => [d.attempt, d.outcome, d.status ?? null, d.jobState]), [[1, 'failed', 500, 'delivered'], [2, 'failed', 500, 'delivered'], [3, 'delivered', 204, 'delivered']]);
    assert.equal(receivers.webhook.requests.length, 3);
    assert.equal(receivers.webhook.accepted.length, 1);
    const hookBody = JSON.parse(receivers.webhook.accepted[0].body);
    assert.deepEqual([hookBody.action, hookBody.alert.alertId, hookBody.alert.rule], ['raised', forcedId, 'security.gate_forced']);
    assert.equal(receivers.webhook.accepted[0].headers['x-greenwatch-event-id'], String(hookBody.eventId));

    for (const name of ['wecom', 'dingtalk', 'feishu'] as const) {
      assert.equal(receivers[name].requests.length, 4, name);
      const perEvent = new Set(receivers[name].requests.map((r) => r.body));
      assert.equal(perEvent.size, 4, `${name}: four different messages, none twice`);
    }
    const wecom = JSON.parse(receivers.wecom.requests[0].body);
    assert.equal(wecom.msgtype, 'markdown');
    assert.match(wecom.markdown.content, /【严重】新告警：security.gate_forced/);
    assert.ok(receivers.wecom.requests[0].url.endsWith('key=k1'));

    for (const r of receivers.dingtalk.requests) {
      const u = new URL(r.url, 'http://x');
      const ts = u.searchParams.get('timestamp')!;
      assert.equal(u.searchParams.get('access_token'), 't1');
      assert.equal(u.searchParams.get('sign'), createHmac('sha256', DINGTALK_SECRET).update(`${ts}\n${DINGTALK_SECRET}`).digest('base64'));
      assert.equal(JSON.parse(r.body).msgtype, 'markdown');
    }
    for (const r of receivers.feishu.requests) {
      const body = JSON.parse(r.body);
      assert.equal(body.msg_type, 'text');
      assert.equal(body.sign, createHmac('sha256', `${body.timestamp}\n${FEISHU_SECRET}`).update('').digest('base64'));
      assert.match(body.content.text, /security\./);
    }
  });

  it('an alert published while the api is down arrives when it is back (persistent session)', async () => {
    await stack.api!.close();
    stack.api = undefined;
    await gate('g-03', 'event', { ts: BASE + 120_000, type: 'forced_open' });
    await gate('g-03', 'telemetry', { ts: BASE + 125_000, doorClosed: true });
    await stack.restartApi();
    const alerts = await waitFor(() => alertsOf(`community=${C}&device=g-03`), (a) => a.length === 1);
    assert.deepEqual(alerts.map((a) => [a.rule, a.state]), [['security.gate_forced', 'open']]);
  });
});
