import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScenarioError, parseScenario } from './scenario-file.js';

const community = `id: t
name: Test
compounds:
  - {id: c1, name: One}
devices:
  - {id: n-01, type: noise, compound: c1, zone: "1"}
  - {id: g-01, type: access_gate, compound: c1}
`;

function problemsOf(yaml: string) {
  try {
    parseScenario(yaml, 'test.yaml');
  } catch (error) {
    assert.ok(error instanceof ScenarioError, String(error));
    return error.problems.map((p) => `${p.line}:${p.field}`);
  }
  assert.fail('expected a ScenarioError');
}

describe('scenario files', () => {
  it('reads the community, the scenario block and incidents with their defaults', () => {
    const s = parseScenario(`${community}scenario: {description: x, duration: 2d}\nincidents:\n  - {kind: party, device: n-01, start: "d1 23:00", duration: 2h, expect: [{rule: noise.zone_limit, at: "d1 23:10"}]}\n`);
    assert.equal(s.durationMs, 2 * 86_400_000);
    assert.equal(s.community.devices.length, 2);
    const [party] = s.incidents;
    assert.deepEqual(party.params, { level: 60, lmax: 74 });
    assert.deepEqual(party.expect, [{ rule: 'noise.zone_limit', device: 'n-01', at: { day: 1, secondOfDay: 23 * 3600 + 600 }, toleranceMs: 600_000 }]);
  });

  it('names the line and field of an unknown key in an incident', () => {
    assert.deepEqual(problemsOf(`${community}incidents:\n  - kind: party\n    device: n-01\n    start: "23:00"\n    duration: 1h\n    loudness: 80\n`), ['13:incidents.0.loudness']);
  });

  it('names the line of an incident that does not fit its device, a bad parameter and an unknown rule', () => {
    const yaml = `${community}incidents:
  - kind: forced_open
    device: n-01
    start: "02:00"
    duration: 1m
  - kind: party
    device: n-01
    start: "23:00"
    duration: 1h
    params: {level: 300}
  - kind: horn
    device: n-01
    start: "10:00"
    duration: 1m
    expect:
      - {rule: noise.too_loud, at: "10:00"}
`;
    assert.deepEqual(problemsOf(yaml), ['9:incidents.0.kind', '17:incidents.1.params.level', '23:incidents.2.expect.0.rule']);
  });

  it('names the line of an unknown device, a bad time and an incident after the end', () => {
    const yaml = `${community}incidents:
  - {kind: party, device: n-09, start: "23:00", duration: 1h}
  - {kind: party, device: n-01, start: "24:30", duration: 1h}
  - {kind: party, device: n-01, start: "d1 01:00", duration: 1h}
`;
    assert.deepEqual(problemsOf(yaml), ['9:incidents.0.device', '10:incidents.1.start', '11:incidents.2.start']);
  });

  it("reports the community's own problems with their lines too", () => {
    assert.deepEqual(problemsOf(community.replace('zone: "1"', 'zone: "9"')), ['6:devices.0.zone']);
    assert.deepEqual(problemsOf(`${community}colour: green\n`), ['8:colour']);
  });

  it('rejects YAML that does not parse, with its line', () => {
    assert.deepEqual(problemsOf(`${community}incidents: [\n`), ['9:(yaml)']);
  });
});
