import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Alert } from '#contracts';
import { applyRuleMessage, acknowledge } from './alert-lifecycle.js';
import { type AlertRepository, SqliteAlertRepository } from './alerts.repository.js';
import { type CommunityRepository, SqliteCommunityRepository } from './communities.repository.js';
import { RegistryDatabase } from './database.js';
import { SqliteNotificationRepository } from './notifications.repository.js';

/**
 * Contract suites of the registry's repository interfaces. Each runs against every
 * implementation listed (SQLite today; a server database adds itself here).
 */
const implementations: { name: string; make(): { alerts: AlertRepository; communities: CommunityRepository; database: RegistryDatabase } }[] = [
  {
    name: 'SQLite',
    make() {
      const database = new RegistryDatabase(':memory:');
      return { alerts: new SqliteAlertRepository(database), communities: new SqliteCommunityRepository(database), database };
    },
  },
];

const alert = (id: string, community: string, over: Partial<Alert> = {}): Alert => ({
  alertId: id, rule: 'security.gate_forced', criterion: '12', severity: 'critical', state: 'raised', communityId: community, deviceId: 'g-01', deviceType: 'access_gate',
  at: 1000, raisedAt: 1000, message: { zh: 'z', en: 'e' }, context: {}, ...over,
});

for (const impl of implementations) {
  describe(`AlertRepository (${impl.name})`, () => {
    it('append stores the alert and one history row per step, with monotonic event ids', () => {
      const { alerts } = impl.make();
      const [raised] = alerts.append(applyRuleMessage(undefined, alert('a1', 'demo'), 10));
      const ack = acknowledge(alerts.get('a1')!, { by: 'li', comment: 'seen' }, 20);
      assert.ok(ack.ok);
      const [acked] = alerts.append(ack.steps);
      assert.ok(acked.eventId > raised.eventId);
      assert.equal(alerts.get('a1')?.state, 'acknowledged');
      assert.deepEqual(alerts.history('a1').map((e) => [e.action, e.by, e.comment, e.alert.state]), [['raised', 'rule', undefined, 'open'], ['acknowledged', 'li', 'seen', 'acknowledged']]);
    });

    it('filters by scope, community, state, criterion, rule, device and time; injection is data', () => {
      const { alerts } = impl.make();
      alerts.append(applyRuleMessage(undefined, alert('a1', 'demo', { raisedAt: 1000, at: 1000 }), 1));
      alerts.append(applyRuleMessage(undefined, alert('a2', 'east', { raisedAt: 2000, at: 2000, rule: 'noise.zone_limit', criterion: '10', deviceId: 'n-01' }), 1));
      alerts.append(applyRuleMessage(undefined, alert('a3', 'demo', { raisedAt: 3000, at: 3000 }), 1));
      const ids = (f: Parameters<AlertRepository['list']>[0]) => alerts.list(f).map((a) => a.alertId);
      assert.deepEqual(ids({ limit: 10 }), ['a3', 'a2', 'a1']);
      assert.deepEqual(ids({ limit: 10, communities: ['demo'] }), ['a3', 'a1']);
      assert.deepEqual(ids({ limit: 10, communities: [] }), []);
      assert.deepEqual(ids({ limit: 10, criterion: '10' }), ['a2']);
      assert.deepEqual(ids({ limit: 10, rule: 'security.gate_forced', device: 'g-01' }), ['a3', 'a1']);
      assert.deepEqual(ids({ limit: 10, from: 2000, to: 3000 }), ['a2']);
      assert.deepEqual(ids({ limit: 1 }), ['a3']);
      assert.deepEqual(ids({ limit: 10, community: "demo' OR '1'='1" }), []);
      assert.deepEqual(ids({ limit: 10, communities: ["demo') OR 1=1 --"] }), []);
    });

    it('eventsAfter replays within scope, oldest first', () => {
      const { alerts } = impl.make();
      const [e1] = alerts.append(applyRuleMessage(undefined, alert('a1', 'demo'), 1));
      const [e2] = alerts.append(applyRuleMessage(undefined, alert('a2', 'east'), 1));
      const [e3] = alerts.append(applyRuleMessage(undefined, alert('a3', 'demo'), 1));
      assert.deepEqual(alerts.eventsAfter(0, undefined, 100).map((e) => e.eventId), [e1.eventId, e2.eventId, e3.eventId]);
      assert.deepEqual(alerts.eventsAfter(e1.eventId, ['demo'], 100).map((e) => e.eventId), [e3.eventId]);
    });
  });

  describe(`CommunityRepository (${impl.name})`, () => {
    const config = (name: string) => ({ id: 'demo', name, timezone: 'Asia/Shanghai', periods: { day: '06:00-22:00' }, compounds: [{ id: 'c1', name: 'C1', parkingSpaces: 10 }], devices: [{ id: 'n-01', type: 'noise' as const, compound: 'c1', zone: '1' as const }], rules: {} });
    it('a file import wins only when the file changed; API edits survive an unchanged file', () => {
      const { communities } = impl.make();
      assert.equal(communities.importFromFile(config('from file'), { path: 'demo.yaml', sha256: 'h1' }, 1), true);
      communities.save(config('edited'), 'admin', 2);
      assert.equal(communities.importFromFile(config('from file'), { path: 'demo.yaml', sha256: 'h1' }, 3), false);
      assert.equal(communities.get('demo')?.name, 'edited');
      assert.equal(communities.importFromFile(config('file v2'), { path: 'demo.yaml', sha256: 'h2' }, 4), true);
      assert.equal(communities.get('demo')?.name, 'file v2');
      assert.deepEqual(communities.list()[0].compounds, [{ id: 'c1', name: 'C1', parkingSpaces: 10 }]);
      assert.deepEqual(communities.devicesById('n-01').map((d) => [d.communityId, d.zone]), [['demo', '1']]);
    });

    it('an API edit written back to its file is that file\'s import: the next boot does not take it for a change', () => {
      const { communities } = impl.make();
      communities.importFromFile(config('from file'), { path: 'dir/demo.yaml', sha256: 'h1' }, 1);
      assert.equal(communities.sourcePath('demo'), 'dir/demo.yaml');
      communities.save(config('edited'), 'admin', 2, { path: 'dir/demo.yaml', sha256: 'h2' });
      assert.equal(communities.importFromFile(config('edited'), { path: 'dir/demo.yaml', sha256: 'h2' }, 3), false);
      assert.equal(communities.get('demo')?.name, 'edited');
      assert.equal(communities.sourcePath('nope'), undefined);
      // renamed, same text: the new name is remembered, nothing is re-imported
      assert.equal(communities.importFromFile(config('edited'), { path: 'dir/site-demo.yaml', sha256: 'h2' }, 4), false);
      assert.equal(communities.sourcePath('demo'), 'dir/site-demo.yaml');
    });
  });
}

describe('NotificationRepository (SQLite)', () => {
  it('one job per (event, channel) however often it is enqueued; claims move pending to sending once', () => {
    const database = new RegistryDatabase(':memory:');
    const alerts = new SqliteAlertRepository(database);
    const repo = new SqliteNotificationRepository(database);
    const [event] = alerts.append(applyRuleMessage(undefined, alert('a1', 'demo'), 1));
    const channel = { id: 'hook', type: 'webhook' as const, url: 'http://127.0.0.1:1/x', severities: ['critical' as const], actions: ['raised' as const] };
    const job = { eventId: event.eventId, communityId: 'demo', alertId: 'a1', channel, state: 'pending' as const, nextAt: 100 };
    assert.equal(repo.enqueue([job], 1), 1);
    assert.equal(repo.enqueue([job], 2), 0);
    assert.deepEqual(repo.claimDue(99, 10), []);
    const [claimed] = repo.claimDue(100, 10);
    assert.equal(claimed.attempt, 1);
    assert.equal(claimed.event.alert.alertId, 'a1');
    assert.deepEqual(repo.claimDue(100, 10), []);
    repo.recordAttempt(claimed.id, 1, { ok: false, status: 500, durationMs: 3 }, { state: 'pending', nextAt: 200 }, 101);
    assert.equal(repo.nextDueAt(), 200);
    const [again] = repo.claimDue(200, 10);
    assert.equal(again.attempt, 2);
    repo.recordAttempt(again.id, 2, { ok: true, status: 200, durationMs: 3 }, { state: 'delivered' }, 201);
    assert.deepEqual(repo.deliveries({ limit: 10 }).map((d) => [d.attempt, d.outcome, d.status, d.jobState]), [[2, 'delivered', 200, 'delivered'], [1, 'failed', 500, 'delivered']]);
    assert.equal(repo.nextDueAt(), undefined);
  });
});

describe('SqliteDeviceSecretStore', () => {
  it('verifies the secret it issued, for the device it issued it to; a new secret replaces the old', async () => {
    const { SqliteDeviceSecretStore } = await import('./device-secrets.repository.js');
    const store = new SqliteDeviceSecretStore(new RegistryDatabase(':memory:'));
    const device = { communityId: 'demo', deviceType: 'noise' as const, deviceId: 'n-01' };
    const first = store.issue(device);
    assert.deepEqual(await store.verify('n-01', first), [device]);
    assert.deepEqual(await store.verify('n-02', first), []);
    const second = store.issue(device);
    assert.deepEqual(await store.verify('n-01', first), []);
    assert.deepEqual(await store.verify('n-01', second), [device]);
  });
});
