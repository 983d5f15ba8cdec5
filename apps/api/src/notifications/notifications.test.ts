import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AlertEvent, NotificationChannel, NotificationPolicy } from '#registry';
import { accepted, buildRequest } from './channel-formats.js';
import { inQuietHours, planJobs, quietHoursEnd, retryDelay } from './planning.js';
import { dingtalkSignature, dingtalkSignedUrl, feishuSignature } from './signatures.js';

// Vectors computed independently with openssl:
//   printf '1700000000000\nSEC0123456789abcdef' | openssl dgst -sha256 -hmac 'SEC0123456789abcdef' -binary | base64
//   printf '' | openssl dgst -sha256 -hmac $'1700000000\nfeishu-secret' -binary | base64
describe('robot signatures', () => {
  it('DingTalk: HMAC-SHA256(secret, "timestamp\\nsecret"), Base64, URL-encoded on the URL', () => {
    assert.equal(dingtalkSignature('SEC0123456789abcdef', 1700000000000), 'TSZbRFUuvaSQaRKUpF970OPCb2/LcQAP3wOvwZIzBZk=');
    const url = dingtalkSignedUrl('https://oapi.dingtalk.com/robot/send?access_token=abc', 'SEC0123456789abcdef', 1700000000000);
    assert.equal(url, 'https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1700000000000&sign=TSZbRFUuvaSQaRKUpF970OPCb2%2FLcQAP3wOvwZIzBZk%3D');
  });

  it('Feishu: HMAC-SHA256 keyed with "timestamp\\nsecret" over nothing, Base64', () => {
    assert.equal(feishuSignature('feishu-secret', 1700000000), 'OrBzY1Y01Gq+HgJsl+7OfWcMVwc7YocohQm5iiZwjhU=');
  });
});

const event = (severity: 'info' | 'warning' | 'critical' = 'warning', action: AlertEvent['action'] = 'raised'): AlertEvent => ({
  eventId: 7,
  alertId: 'al-1',
  communityId: 'demo',
  at: 1700000000000,
  action,
  by: 'rule',
  alert: {
    alertId: 'al-1', rule: 'noise.zone_limit', criterion: '10', severity, state: 'open', ruleState: 'raised', communityId: 'demo', deviceId: 'n-01', deviceType: 'noise',
    raisedAt: 1700000000000, ruleAt: 1700000000000, value: 58.3, threshold: 45, message: { zh: '噪声超标', en: 'noise over limit' }, context: {}, updatedAt: 1,
  },
});
const channel = (type: NotificationChannel['type'], extra: Partial<NotificationChannel> = {}): NotificationChannel => ({ id: type, type, url: `http://127.0.0.1:9/${type}`, severities: ['info', 'warning', 'critical'], actions: ['raised', 'escalated', 'resolved'], ...extra });

describe('channel formats', () => {
  it('webhook: the event and alert as JSON, with the event id in a header', () => {
    const r = buildRequest(channel('webhook'), event(), 0);
    assert.equal(r.headers['x-greenwatch-event-id'], '7');
    const body = JSON.parse(r.body);
    assert.deepEqual([body.eventId, body.action, body.alert.alertId, body.alert.value], [7, 'raised', 'al-1', 58.3]);
  });

  it('WeCom: msgtype markdown with the Chinese message', () => {
    const body = JSON.parse(buildRequest(channel('wecom'), event(), 0).body);
    assert.equal(body.msgtype, 'markdown');
    assert.match(body.markdown.content, /^\*\*【警告】新告警：noise.zone_limit\*\*\n> 噪声超标/);
  });

  it('DingTalk: markdown with title and text; signed URL when a secret is set', () => {
    const r = buildRequest(channel('dingtalk', { secret: 'SEC0123456789abcdef' }), event('critical'), 1700000000000);
    assert.match(r.url, /[?]timestamp=1700000000000&sign=TSZbRFUuvaSQaRKUpF970OPCb2%2FLcQAP3wOvwZIzBZk%3D$/);
    const body = JSON.parse(r.body);
    assert.equal(body.msgtype, 'markdown');
    assert.equal(body.markdown.title, '【严重】新告警：noise.zone_limit');
    assert.equal(buildRequest(channel('dingtalk'), event(), 1).url, 'http://127.0.0.1:9/dingtalk');
  });

  it('Feishu: msg_type text, timestamp in seconds and sign in the body when a secret is set', () => {
    const body = JSON.parse(buildRequest(channel('feishu', { secret: 'feishu-secret' }), event(), 1700000000999).body);
    assert.deepEqual([body.msg_type, body.timestamp, body.sign], ['text', '1700000000', 'OrBzY1Y01Gq+HgJsl+7OfWcMVwc7YocohQm5iiZwjhU=']);
    assert.match(body.content.text, /噪声超标/);
  });

  it('robots refuse with HTTP 200 and an error code: that is a failure', () => {
    assert.deepEqual(accepted('dingtalk', 200, '{"errcode":310000,"errmsg":"sign not match"}'), { ok: false, error: 'refused: code 310000 sign not match' });
    assert.deepEqual(accepted('wecom', 200, '{"errcode":0,"errmsg":"ok"}'), { ok: true });
    assert.deepEqual(accepted('feishu', 200, '{"code":0,"msg":"success"}'), { ok: true });
    assert.deepEqual(accepted('feishu', 200, '{"code":19021,"msg":"sign match fail"}').ok, false);
    assert.deepEqual(accepted('webhook', 204, ''), { ok: true });
    assert.deepEqual(accepted('webhook', 503, ''), { ok: false, error: 'HTTP 503' });
  });
});

describe('quiet hours (Asia/Shanghai, UTC+8)', () => {
  const shanghai = (h: number, m = 0) => Date.UTC(2026, 0, 15, h - 8, m);
  it('22:00-07:00 wraps midnight: 22:00 and 06:59 are quiet, 07:00 and 21:59 are not', () => {
    assert.deepEqual([shanghai(22), shanghai(23, 59), shanghai(24), shanghai(6, 59), shanghai(7), shanghai(21, 59)].map((t) => inQuietHours('22:00-07:00', 'Asia/Shanghai', t)), [true, true, true, true, false, false]);
  });
  it('judged in the community zone, not UTC: 23:00 Shanghai is 15:00 UTC', () => {
    assert.equal(inQuietHours('22:00-07:00', 'Asia/Shanghai', Date.UTC(2026, 0, 15, 15)), true);
    assert.equal(inQuietHours('22:00-07:00', 'UTC', Date.UTC(2026, 0, 15, 15)), false);
  });

  it('planJobs: matching channels only; in quiet hours, severities not allowed wait for their end, or are suppressed if the policy says so', () => {
    const policy: NotificationPolicy = { channels: [channel('webhook'), channel('wecom', { severities: ['critical'] }), channel('feishu', { actions: ['resolved'] })], quietHours: { hours: '22:00-07:00', allow: ['critical'], then: 'defer' } };
    const day = planJobs(policy, event('warning'), 'Asia/Shanghai', shanghai(12));
    assert.deepEqual(day.map((j) => [j.channel.id, j.state, j.nextAt]), [['webhook', 'pending', shanghai(12)]]);
    const night = planJobs(policy, event('warning'), 'Asia/Shanghai', shanghai(23) + 17 * 60_000 + 5_000);
    assert.deepEqual(night.map((j) => [j.channel.id, j.state, new Date(j.nextAt).toISOString()]), [['webhook', 'pending', new Date(shanghai(7) + 86_400_000).toISOString()]], 'deferred to 07:00 the next morning');
    const early = planJobs(policy, event('warning'), 'Asia/Shanghai', shanghai(3));
    assert.equal(new Date(early[0].nextAt).toISOString(), new Date(shanghai(7)).toISOString(), '03:00 waits until 07:00 the same morning');
    const dropping = planJobs({ ...policy, quietHours: { ...policy.quietHours!, then: 'suppress' } }, event('warning'), 'Asia/Shanghai', shanghai(23));
    assert.deepEqual(dropping.map((j) => [j.channel.id, j.state, j.reason]), [['webhook', 'suppressed', 'quiet hours 22:00-07:00 (Asia/Shanghai)']]);
    assert.deepEqual(planJobs(policy, event('critical'), 'Asia/Shanghai', shanghai(23)).map((j) => [j.channel.id, j.state]), [['webhook', 'pending'], ['wecom', 'pending']]);
    assert.deepEqual(planJobs(undefined, event(), 'Asia/Shanghai', 0), []);
    for (const hours of ['00:00-00:00', '00:00-24:00']) {
      const allDay = planJobs({ ...policy, quietHours: { hours, allow: ['critical'], then: 'defer' } }, event('warning'), 'Asia/Shanghai', shanghai(12));
      assert.deepEqual(allDay.map((j) => j.state), ['suppressed'], `${hours}: quiet all day, there is no end to wait for`);
    }
  });

  it('quietHoursEnd: the next local end time, across a daylight-saving change as well', () => {
    // Berlin, night of 2026-10-25: clocks go back at 03:00 CEST (01:00 UTC); 22:00 CEST on the 24th is 20:00 UTC
    assert.equal(new Date(quietHoursEnd('22:00-07:00', 'Europe/Berlin', Date.UTC(2026, 9, 24, 20, 30))!).toISOString(), '2026-10-25T06:00:00.000Z', '07:00 CET');
    // spring forward, 2026-03-29 02:00 CET -> 03:00 CEST (01:00 UTC)
    assert.equal(new Date(quietHoursEnd('22:00-07:00', 'Europe/Berlin', Date.UTC(2026, 2, 28, 22, 0))!).toISOString(), '2026-03-29T05:00:00.000Z', '07:00 CEST');
    assert.equal(new Date(quietHoursEnd('22:00-07:00', 'Asia/Shanghai', Date.UTC(2026, 0, 15, 15, 17, 5))!).toISOString(), '2026-01-15T23:00:00.000Z');
  });
});

describe('retryDelay', () => {
  it('doubles from the base and stops after maxAttempts', () => {
    assert.deepEqual([1, 2, 3, 4, 5].map((a) => retryDelay(a, { baseMs: 100, maxAttempts: 5 })), [100, 200, 400, 800, undefined]);
    assert.equal(retryDelay(30, { baseMs: 1000, maxAttempts: 50, maxDelayMs: 60_000 }), 60_000);
  });
});
