import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { type DeviceMessage, parseCommunityConfig } from '#contracts';
import { validateRuleOverrides } from './catalogue.js';
import { RulesEngine } from './engine.js';
import { COMMUNITY, brief, engineFor, event, noiseMinutes, registryFrom, run, sh, status, telemetry } from './fixtures.js';

const METER = '{id: n-01, type: noise, compound: c1, zone: "1"}';
const GATE = '{id: g-01, type: access_gate, compound: c1, intervalS: 60}';

/** Moves each message up to `by` places later, deterministically: displacement bounded by `by` minutes of 1-minute data. */
function shuffleWithin(messages: DeviceMessage[], by: number): DeviceMessage[] {
  const out = [...messages];
  for (let i = 0; i + by < out.length; i += by + 1) out.splice(i, by + 1, ...out.slice(i, i + by + 1).reverse());
  return out;
}

describe('event time and lateness', () => {
  it('gives the same alerts for data shuffled within the lateness as for ordered data', () => {
    const ordered = [...noiseMinutes('n-01', sh('21:00'), 180, (i) => (i > 60 && i < 120 ? 50 : 40), (i) => (i === 80 ? 75 : 50))];
    const expected = run(engineFor([METER], { latenessMs: 120_000 }), ordered).map(brief);
    const shuffled = shuffleWithin(ordered, 2); // at most 2 minutes out of order
    assert.notDeepEqual(shuffled.map((m) => m.ts), ordered.map((m) => m.ts));
    const engine = engineFor([METER], { latenessMs: 120_000 });
    assert.deepEqual(run(engine, shuffled).map(brief), expected);
    assert.equal(engine.stats.late, 0);
    assert.ok(expected.length >= 3, expected.join('\n'));
  });

  it('ignores data later than the lateness: a forced_open 3 minutes behind the community clock fires nothing', () => {
    const engine = engineFor([METER, GATE], { latenessMs: 120_000 });
    const alerts = run(engine, [...noiseMinutes('n-01', sh('03:00'), 10, () => 40), event('access_gate', 'g-01', sh('03:06'), 'forced_open')]);
    assert.deepEqual(alerts.filter((a) => a.rule === 'security.gate_forced'), []);
    assert.equal(engine.stats.late, 1);
  });

  it('judges a message once the clock is the lateness past it, with its own time as the alert time', () => {
    const engine = engineFor([METER, GATE], { latenessMs: 120_000 });
    assert.deepEqual(engine.accept(event('access_gate', 'g-01', sh('03:00'), 'forced_open')), []);
    assert.deepEqual(engine.accept(telemetry('noise', 'n-01', sh('03:01:59'), { laeq: 40 })), []);
    assert.deepEqual(engine.accept(telemetry('noise', 'n-01', sh('03:02'), { laeq: 40 })).map(brief), ['raised critical security.gate_forced g-01 03:00 value=1 threshold=1']);
  });
});

describe('device.offline on the community event-time clock', () => {
  it('raises when a device has been silent 3 × intervalS of community time, clears when it speaks', () => {
    const engine = engineFor([METER, GATE], { latenessMs: 0 });
    const readings = [telemetry('access_gate', 'g-01', sh('10:00'), { doorClosed: true }), ...noiseMinutes('n-01', sh('10:00'), 10, () => 40), telemetry('access_gate', 'g-01', sh('10:10:30'), { doorClosed: true })];
    const alerts = run(engine, readings).filter((a) => a.rule === 'device.offline');
    // g-01 last heard 10:00, intervalS 60: due 10:03, noticed when the noise meter's 10:03 reading moves the clock
    assert.deepEqual(alerts.map(brief), ['raised critical device.offline g-01 10:03 value=180 threshold=180', 'cleared critical device.offline g-01 10:10 value=180 threshold=180']);
    assert.equal(alerts[0].criterion, '12');
  });

  it('works the same in a replay compressed into milliseconds: no server clock is read', () => {
    const engine = engineFor([METER, GATE], { latenessMs: 0 });
    const alerts = run(engine, noiseMinutes('n-01', sh('10:00'), 24 * 60, () => 40)).filter((a) => a.rule === 'device.offline');
    assert.deepEqual(alerts.map(brief), ['raised critical device.offline g-01 10:03 value=180 threshold=180']);
  });

  it('raises on a last will (a status without ts) right after the device\'s last message, and ignores a retained one for a device already heard', () => {
    const engine = engineFor([METER, GATE], { latenessMs: 0 });
    run(engine, [telemetry('access_gate', 'g-01', sh('10:00'), { doorClosed: true }), telemetry('noise', 'n-01', sh('10:01'), { laeq: 40 })], false);
    // ts of an untimed status is its receive time (here: now, far from the replayed day): it must not matter
    assert.deepEqual(engine.accept(status('access_gate', 'g-01', Date.now(), false), { retained: true, untimed: true }), []);
    assert.deepEqual(engine.accept(status('access_gate', 'g-01', Date.now(), false), { untimed: true }).map(brief), ['raised critical device.offline g-01 10:00']);
    // back: its status (with ts) clears at its own time
    assert.deepEqual(engine.accept(status('access_gate', 'g-01', sh('10:20'), true)).map(brief), ['cleared critical device.offline g-01 10:20']);
  });

  it('places a last will the same whatever the community clock is when it arrives', () => {
    const at = (clockMinutes: number) => {
      const engine = engineFor([METER, GATE], { latenessMs: 120_000 });
      run(engine, [telemetry('access_gate', 'g-01', sh('10:00:30'), { doorClosed: true }), ...noiseMinutes('n-01', sh('10:00'), clockMinutes, () => 40)], false);
      return engine.accept(status('access_gate', 'g-01', Date.now(), false), { untimed: true }).map(brief);
    };
    assert.deepEqual(at(2), ['raised critical device.offline g-01 10:00']);
    assert.deepEqual(at(3), at(2)); // g-01's silence timeout (3 min) not reached yet either way
  });
});

describe('restart', () => {
  const devices = [METER, GATE, '{id: b-01, type: waste_bin, compound: c1, category: kitchen}'];
  const day = [
    ...noiseMinutes('n-01', sh('21:00'), 150, () => 50),
    ...Array.from({ length: 150 }, (_, i) => telemetry('access_gate', 'g-01', sh('21:00') + i * 60_000 + 500, { doorClosed: i % 40 > 1 })),
    event('access_gate', 'g-01', sh('22:10'), 'forced_open'),
    telemetry('waste_bin', 'b-01', sh('21:30'), { fillPct: 90, category: 'kitchen' }),
  ].sort((a, b) => a.ts - b.ts);

  it('a snapshot taken half-way and restored in a new engine gives the same alerts as an uninterrupted run', () => {
    const uninterrupted = run(engineFor(devices, { latenessMs: 120_000 }), day).map((a) => `${a.alertId} ${brief(a)}`);
    const first = engineFor(devices, { latenessMs: 120_000 });
    const half = Math.floor(day.length / 2);
    const before = run(first, day.slice(0, half), false);
    const saved = JSON.parse(JSON.stringify(first.snapshot()));
    const second = engineFor(devices, { latenessMs: 120_000 });
    second.restore(saved);
    const afterRestart = run(second, day.slice(half));
    assert.deepEqual([...before, ...afterRestart].map((a) => `${a.alertId} ${brief(a)}`), uninterrupted);
  });

  it('without a snapshot, open alerts rebuilt from the stored alerts are not raised again', () => {
    const first = engineFor(devices, { latenessMs: 0 });
    const before = run(first, day.slice(0, 200));
    const stored = first.openAlerts().map((a) => ({ ...a, state: 'raised' as const }));
    assert.ok(stored.some((a) => a.rule === 'noise.zone_limit'));
    const second = engineFor(devices, { latenessMs: 0 });
    assert.deepEqual(second.reconcile(stored), { reopened: stored.length, closed: 0 });
    const after = run(second, day.slice(200));
    assert.ok(before.length > 0);
    // Nothing that was open at the restart is raised again at the same or a lower severity.
    const raisedAgain = after.filter((a) => a.state === 'raised' && stored.some((s) => s.rule === a.rule && s.deviceId === a.deviceId && s.severity === a.severity));
    assert.deepEqual(raisedAgain.map(brief), []);
    // ... and it still clears: the zone-limit alert of before the restart is the one cleared after it
    const zone = stored.find((s) => s.rule === 'noise.zone_limit')!;
    assert.ok(after.some((a) => a.alertId === zone.alertId && a.state === 'cleared') || second.openAlerts().some((a) => a.alertId === zone.alertId));
  });
});

describe('catch-up after a restart (the broker sends its backlog after newer live messages)', () => {
  const devices = [METER, GATE];
  // One reading a minute from each device, numbered per device as the contract's `seq` allows.
  const seqs = new Map<string, number>();
  const day = [
    ...noiseMinutes('n-01', sh('22:00'), 120, (i) => (i >= 30 && i < 70 ? 52 : 40), (i) => (i === 50 ? 80 : 50)),
    ...Array.from({ length: 120 }, (_, i) => telemetry('access_gate', 'g-01', sh('22:00') + i * 60_000 + 500, { doorClosed: true })),
    event('access_gate', 'g-01', sh('22:55:10'), 'forced_open'),
  ]
    .sort((a, b) => a.ts - b.ts)
    .map((m) => {
      const seq = seqs.get(m.deviceId) ?? 0;
      seqs.set(m.deviceId, seq + 1);
      return { ...m, seq };
    });
  const cut = day.findIndex((m) => m.ts >= sh('22:40'));
  const backlogEnd = day.findIndex((m) => m.ts >= sh('23:00'));
  const label = (a: { alertId: string }) => `${a.alertId} ${brief(a as never)}`;

  function restarted(): { engine: RulesEngine; before: string[] } {
    const first = engineFor(devices, { latenessMs: 120_000 });
    const before = run(first, day.slice(0, cut), false).map(label);
    const engine = engineFor(devices, { latenessMs: 120_000 });
    engine.restore(JSON.parse(JSON.stringify(first.snapshot())));
    engine.beginCatchUp();
    return { engine, before };
  }

  it('without catch-up, live messages first make the whole backlog late', () => {
    const { engine, before } = restarted();
    engine.endCatchUp();
    const after = run(engine, [...day.slice(backlogEnd), ...day.slice(cut, backlogEnd)]).map(label);
    assert.ok(engine.stats.late > 0);
    assert.notDeepEqual([...before, ...after], run(engineFor(devices, { latenessMs: 120_000 }), day).map(label));
  });

  it('judges nothing until the backlog is in, then gives the alerts of an uninterrupted run', () => {
    const uninterrupted = run(engineFor(devices, { latenessMs: 120_000 }), day).map(label);
    assert.ok(uninterrupted.some((a) => a.includes('security.gate_forced')) && uninterrupted.some((a) => a.includes('noise.night_burst')));
    const { engine, before } = restarted();
    // aedes: live messages (23:00 on) interleaved with the queue (22:40-22:59), live first
    const live = day.slice(backlogEnd);
    const queued = day.slice(cut, backlogEnd);
    const arrivals: DeviceMessage[] = [];
    for (let i = 0; i < Math.max(live.length, queued.length); i++) arrivals.push(...(i < 20 ? [live[i]] : []), ...(queued[i] ? [queued[i]] : []));
    const during: string[] = [];
    for (const m of arrivals) during.push(...engine.accept(m).map(label));
    assert.deepEqual(during, [], 'nothing judged while catching up');
    const after = [...engine.backlogIn(), ...run(engine, live.slice(20))].map(label);
    assert.equal(engine.stats.late, 0);
    assert.deepEqual([...before, ...after], uninterrupted);
  });

  it('after the barrier, waits for messages queued behind it that newer ones overtook (a seq gap)', () => {
    const { engine } = restarted();
    const queued = day.slice(cut, backlogEnd);
    const stragglers = queued.slice(-4); // queued while the barrier was on its way
    for (const m of [...day.slice(backlogEnd, backlogEnd + 6), ...queued.slice(0, -4)]) engine.accept(m);
    assert.deepEqual(engine.backlogIn(), []);
    assert.ok(engine.catchingUp);
    assert.deepEqual(Object.keys(engine.gaps()), [COMMUNITY]);
    for (const m of stragglers) engine.accept(m);
    assert.equal(engine.catchingUp, false);
    assert.equal(engine.stats.late, 0);
  });
});

describe('configuration', () => {
  it('names unknown rule parameters and bad values, with where they are', () => {
    const registry = registryFrom(['{id: n-01, type: noise, compound: c1, zone: "1", rules: {noise.zone_limit: {windowMinutes: -1}}}'], ['rules:', '  waste.overflow: {warnig: 85}']);
    const problems = validateRuleOverrides(registry.allCommunities()[0]);
    assert.deepEqual(problems.map((p) => p.field), ['rules.waste.overflow.warnig', 'devices.n-01.rules.noise.zone_limit.windowMinutes']);
  });
  it('does not judge communities it has no configuration for', () => {
    const engine = new RulesEngine(registryFrom([METER]));
    assert.deepEqual(engine.accept({ ...event('access_gate', 'g-01', sh('03:00'), 'forced_open'), communityId: 'elsewhere' }), []);
    assert.equal(engine.stats.unknownCommunity, 1);
  });
});

describe('configuration changed while running (RulesEngine.configure)', () => {
  const demo = (devices: string[], extra: string[] = []) =>
    parseCommunityConfig([`id: ${COMMUNITY}`, 'name: Demo', 'timezone: Asia/Shanghai', 'compounds:', '  - {id: c1, name: 一号小区}', 'devices:', ...devices.map((d) => `  - ${d}`), ...extra].join('\n'));
  const zoneLimit = (alerts: ReturnType<typeof run>) => alerts.filter((a) => a.rule === 'noise.zone_limit').map(brief);

  it('judges a device added to the configuration by its zone from then on; the others keep their state and open alerts', () => {
    const engine = engineFor([METER], { latenessMs: 0 });
    const both = (from: number) => [...noiseMinutes('n-01', from, 60, () => 50), ...noiseMinutes('n-02', from, 60, () => 50)].sort((a, b) => a.ts - b.ts);
    const first = run(engine, both(sh('23:00')), false);
    assert.deepEqual(zoneLimit(first), ['raised warning noise.zone_limit n-01 23:29 value=50 threshold=45'], 'n-02 is not configured: no zone, no limit');
    engine.configure(demo([METER, '{id: n-02, type: noise, compound: c1, zone: "1"}']));
    const second = run(engine, both(sh('00:00', '2026-11-03')));
    assert.deepEqual(zoneLimit(second), ['raised warning noise.zone_limit n-02 00:29 value=50 threshold=45'], 'n-01 is not raised twice');
  });

  it('forgets a device removed from the configuration: its open alerts clear, and its silence is no longer an alert', () => {
    const engine = engineFor([METER, GATE], { latenessMs: 0 });
    const before = run(engine, [telemetry('access_gate', 'g-01', sh('10:00'), { doorClosed: true }), ...noiseMinutes('n-01', sh('10:00'), 10, () => 40)], false);
    assert.deepEqual(before.filter((a) => a.rule === 'device.offline').map(brief), ['raised critical device.offline g-01 10:03 value=180 threshold=180']);
    const cleared = engine.configure(demo([METER]));
    assert.deepEqual(cleared.map(brief), ['cleared critical device.offline g-01 10:09 value=180 threshold=180']);
    assert.deepEqual(run(engine, noiseMinutes('n-01', sh('10:10'), 60, () => 40)).filter((a) => a.rule === 'device.offline'), []);
    assert.deepEqual(engine.openAlerts().filter((a) => a.deviceId === 'g-01'), []);
  });

  it('a removed device that still speaks (or whose messages were still buffered) is not watched for silence again', () => {
    const engine = engineFor([METER, GATE], { latenessMs: 120_000 });
    run(engine, [telemetry('access_gate', 'g-01', sh('10:00'), { doorClosed: true }), ...noiseMinutes('n-01', sh('10:00'), 2, () => 40)], false);
    engine.configure(demo([METER]));
    const later = run(engine, [telemetry('access_gate', 'g-01', sh('10:03'), { doorClosed: true }), ...noiseMinutes('n-01', sh('10:03'), 60, () => 40), status('access_gate', 'g-01', sh('11:05'), false)]);
    assert.deepEqual(later.filter((a) => a.rule === 'device.offline'), []);
  });

  it('a compound whose last bin is removed is no longer judged for coverage: its alert clears', () => {
    const BIN = '{id: b-01, type: waste_bin, compound: c1, category: kitchen}';
    const engine = engineFor([METER, BIN], { latenessMs: 0 });
    const first = run(engine, [telemetry('waste_bin', 'b-01', sh('10:00'), { fillPct: 10, category: 'kitchen' }), ...noiseMinutes('n-01', sh('10:00'), 20, () => 40)], false);
    assert.deepEqual(first.filter((a) => a.rule === 'waste.sorting_coverage').map((a) => `${a.state} ${a.compoundId}`), ['raised c1'], 'three categories missing');
    engine.configure(demo([METER]));
    const after = run(engine, noiseMinutes('n-01', sh('10:20'), 5, () => 40));
    assert.deepEqual(after.filter((a) => a.rule === 'waste.sorting_coverage').map((a) => `${a.state} ${a.compoundId}`), ['cleared c1']);
  });

  it('after a restart, device.offline of a device removed while the service was down clears', () => {
    const engine = engineFor([METER, GATE], { latenessMs: 0 });
    run(engine, [telemetry('access_gate', 'g-01', sh('10:00'), { doorClosed: true }), ...noiseMinutes('n-01', sh('10:00'), 10, () => 40)], false);
    const restarted = new RulesEngine(registryFrom([METER]), { latenessMs: 0 });
    restarted.restore(engine.snapshot());
    assert.deepEqual(restarted.forgetUnconfiguredSilence().map(brief), ['cleared critical device.offline g-01 10:09 value=180 threshold=180']);
    assert.deepEqual(restarted.forgetUnconfiguredSilence(), []);
  });

  it('applies changed rule overrides from the next judgement on', () => {
    const engine = engineFor([METER], { latenessMs: 0 });
    engine.configure(demo([METER], ['rules:', '  noise.zone_limit: {enabled: false}']));
    assert.deepEqual(zoneLimit(run(engine, noiseMinutes('n-01', sh('23:00'), 90, () => 50))), []);
  });

  it('starts a new community empty, and watches its configured devices for silence from then on', () => {
    const engine = engineFor([METER], { latenessMs: 0 });
    const other = parseCommunityConfig(['id: other', 'name: Other', 'timezone: Asia/Shanghai', 'compounds:', '  - {id: c1, name: C}', 'devices:', '  - {id: n-07, type: noise, compound: c1, zone: "1"}', `  - ${GATE}`].join('\n'));
    engine.configure(other);
    const alerts = run(engine, noiseMinutes('n-07', sh('10:00'), 10, () => 40).map((m) => ({ ...m, communityId: 'other' })));
    assert.deepEqual(alerts.filter((a) => a.rule === 'device.offline').map((a) => `${a.communityId} ${brief(a)}`), ['other raised critical device.offline g-01 10:03 value=180 threshold=180']);
    assert.equal(engine.stats.unknownCommunity, 0);
  });

  it('a community configured during a catch-up waits with the others', () => {
    const engine = engineFor([METER], { latenessMs: 0 });
    engine.beginCatchUp();
    engine.configure(demo([METER]));
    engine.configure(parseCommunityConfig(['id: other', 'name: Other', 'compounds:', '  - {id: c1, name: C}', 'devices:', `  - ${GATE}`].join('\n')));
    assert.deepEqual(engine.accept({ ...event('access_gate', 'g-01', sh('03:00'), 'forced_open'), communityId: 'other' }), []);
    assert.deepEqual(engine.accept({ ...telemetry('access_gate', 'g-01', sh('03:01'), { doorClosed: true }), communityId: 'other' }), [], 'held: the backlog is not in');
    assert.equal(engine.catchingUp, true);
    const released = engine.backlogIn();
    assert.deepEqual(released.map(brief), ['raised critical security.gate_forced g-01 03:00 value=1 threshold=1']);
  });
});

describe('process time zone', () => {
  it('gives the same alerts with TZ=UTC and TZ=America/New_York (the process zone is never consulted)', () => {
    const probe = fileURLToPath(new URL('./tz-probe.js', import.meta.url));
    const runIn = (tz: string) => JSON.parse(execFileSync(process.execPath, [probe], { env: { ...process.env, TZ: tz }, encoding: 'utf8' })) as { tz: string; offset: number; alerts: string[] };
    const utc = runIn('UTC');
    const ny = runIn('America/New_York');
    assert.equal(utc.tz, 'UTC');
    assert.equal(ny.tz, 'America/New_York');
    assert.notEqual(utc.offset, ny.offset);
    assert.deepEqual(ny.alerts, utc.alerts);
    assert.deepEqual(utc.alerts, [
      'raised warning noise.work_hours n-02 12:04 value=65 threshold=60', // permitted until 12:00 local
      'raised warning device.offline n-01 12:05 value=900 threshold=900', // clock started 11:50, 3 × 300 s
      'raised warning device.offline w-01 12:05 value=900 threshold=900',
      'raised warning noise.zone_limit n-02 12:19 value=65 threshold=60',
      'cleared warning device.offline n-01 21:00 value=900 threshold=900',
      'raised warning device.offline n-02 12:34 value=900 threshold=900', // noticed when the clock jumps to 21:00
      'raised info noise.horn_ban n-01 21:30 value=1 threshold=3',
      'raised warning noise.zone_limit n-01 22:00 value=48 threshold=45', // 21:59 is day (55), 22:00 night (45)
      'cleared info noise.horn_ban n-01 22:00 value=1 threshold=3',
      'raised warning noise.night_burst n-01 22:10 value=75 threshold=60',
      'cleared warning noise.night_burst n-01 22:25 value=55 threshold=60',
    ]);
  });
});
