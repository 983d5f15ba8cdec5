import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadAppConfig } from '#config';
import type { Alert } from '#contracts';
import { MetricsRegistry } from '#observability';
import { type NotificationPolicy, RegistryDatabase, SqliteAlertRepository, SqliteCommunityRepository, SqliteNotificationRepository, applyRuleMessage } from '#registry';
import type { OutgoingRequest } from './channel-formats.js';
import type { HttpSender } from './http-sender.js';
import { NotifierService } from './notifier.service.js';

/**
 * The dispatcher over a real (in-memory) registry, with the one I/O boundary, the HTTP sender,
 * replaced by a scripted one: a channel that hangs delays nobody else, retries back off and stop,
 * and a channel that fails twice gets the message once.
 */
class ScriptedSender {
  readonly calls: string[] = [];
  private readonly hanging: (() => void)[] = [];
  constructor(private readonly script: Record<string, (n: number) => 'ok' | 'fail' | 'hang'>) {}

  send(request: OutgoingRequest): Promise<{ status: number; body: string }> {
    const channel = new URL(request.url).pathname.slice(1);
    const n = this.calls.filter((c) => c === channel).length + 1;
    this.calls.push(channel);
    const step = this.script[channel](n);
    if (step === 'hang') return new Promise((resolve) => this.hanging.push(() => resolve({ status: 200, body: '' })));
    return Promise.resolve(step === 'ok' ? { status: 200, body: '' } : { status: 500, body: 'down' });
  }

  release(): void {
    for (const r of this.hanging.splice(0)) r();
  }
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

function setup(script: ConstructorParameters<typeof ScriptedSender>[0], maxAttempts = 4, extra: { quietHours?: NotificationPolicy['quietHours']; now?: () => number; severity?: Alert['severity'] } = {}) {
  const database = new RegistryDatabase(':memory:');
  const alerts = new SqliteAlertRepository(database);
  const jobs = new SqliteNotificationRepository(database);
  const sender = new ScriptedSender(script);
  const config = loadAppConfig({ NOTIFY_RETRY_MS: '10', NOTIFY_MAX_ATTEMPTS: String(maxAttempts) });
  const notifier = new NotifierService(jobs, new SqliteCommunityRepository(database), sender as unknown as HttpSender, config, { now: extra.now ?? (() => Date.now()) }, new MetricsRegistry());
  jobs.savePolicy('demo', { channels: Object.keys(script).map((id) => ({ id, type: 'webhook' as const, url: `http://127.0.0.1:9/${id}`, severities: ['info', 'warning', 'critical'], actions: ['raised'] })), ...(extra.quietHours ? { quietHours: extra.quietHours } : {}) }, 'test', 0);
  const raise = (alertId: string) => {
    const alert: Alert = { alertId, rule: 'security.gate_forced', criterion: '12', severity: extra.severity ?? 'critical', state: 'raised', communityId: 'demo', deviceId: 'g-01', at: 1, raisedAt: 1, message: { zh: 'z', en: 'e' }, context: {} };
    database.transaction(() => notifier.plan(alerts.append(applyRuleMessage(undefined, alert, 1))));
    notifier.wake();
  };
  const state = (channel: string) => jobs.deliveries({ limit: 100 }).filter((d) => d.channelId === channel);
  return { notifier, sender, raise, state };
}

describe('NotifierService', () => {
  it('holds a warning raised in quiet hours until they end, then sends it', async () => {
    // the clock says 06:59:59.6 in Shanghai (the community has no configuration: Asia/Shanghai): quiet hours end in 0.4 s
    const sixFiftyNine = Date.UTC(2026, 0, 15, 22, 59, 59, 600);
    const offset = sixFiftyNine - Date.now();
    const { notifier, sender, raise, state } = setup({ hook: () => 'ok' }, 4, { quietHours: { hours: '22:00-07:00', allow: ['critical'], then: 'defer' }, now: () => Date.now() + offset, severity: 'warning' });
    try {
      raise('quiet-1');
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(sender.calls, [], 'nothing sent during the quiet hours');
      await until(() => state('hook').some((d) => d.outcome === 'delivered'));
      assert.deepEqual(sender.calls, ['hook']);
    } finally {
      await notifier.beforeApplicationShutdown();
    }
  });

  it('a channel that hangs delays no other channel and no later alert', async () => {
    const { notifier, sender, raise, state } = setup({ slow: () => 'hang', fast: () => 'ok' });
    raise('a1');
    raise('a2');
    await until(() => state('fast').filter((d) => d.outcome === 'delivered').length === 2);
    assert.equal(state('slow').length, 0, 'the slow channel has not answered yet');
    sender.release();
    await until(() => state('slow').filter((d) => d.outcome === 'delivered').length === 2);
    await notifier.beforeApplicationShutdown();
  });

  it('fails twice, then succeeds: three attempts recorded, one message delivered, never sent again', async () => {
    const { notifier, sender, raise, state } = setup({ flaky: (n) => (n <= 2 ? 'fail' : 'ok') });
    raise('a1');
    await until(() => state('flaky').some((d) => d.outcome === 'delivered'));
    raise('a2'); // a later alert: its own single delivery
    await until(() => state('flaky').filter((d) => d.outcome === 'delivered').length === 2);
    assert.deepEqual(state('flaky').reverse().map((d) => [d.alertId, d.attempt, d.outcome]), [['a1', 1, 'failed'], ['a1', 2, 'failed'], ['a1', 3, 'delivered'], ['a2', 1, 'delivered']]);
    assert.equal(sender.calls.length, 4);
    await notifier.beforeApplicationShutdown();
  });

  it('gives up after NOTIFY_MAX_ATTEMPTS, recording each attempt', async () => {
    const { notifier, raise, state } = setup({ dead: () => 'fail' }, 3);
    raise('a1');
    await until(() => state('dead').some((d) => d.jobState === 'failed'));
    assert.deepEqual(state('dead').map((d) => d.attempt).sort(), [1, 2, 3]);
    await notifier.beforeApplicationShutdown();
  });
});
