import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommunityConfigError, HOUR_RANGE, NOISE_ZONES, parseCommunityConfig } from './community-config.js';

/** The example of shared/design/contract.md, "Community configuration", verbatim. */
const CONTRACT_EXAMPLE = `id: demo                      # communityId
name: 示例社区
timezone: Asia/Shanghai       # all schedules and day/night use this zone
periods: {day: "06:00-22:00"} # night is the rest
compounds:
  - {id: c1, name: 一号小区, propertyManaged: true, parkingSpaces: 120}
devices:
  - {id: n-01, type: noise, compound: c1, zone: "1", site: residential, hornBan: true, intervalS: 60, location: {x: 120, y: 40}}
  - {id: n-02, type: noise, compound: c1, zone: "2", site: construction, permittedHours: ["07:00-12:00", "14:00-20:00"]}
  - {id: b-01, type: waste_bin, compound: c1, category: kitchen}
  - {id: g-01, type: access_gate, compound: c1}
rules:                        # optional overrides of default thresholds, by rule id
  waste.overflow: {warning: 85}
`;

function configError(yaml: string, options?: { allowKeys?: string[] }): CommunityConfigError {
  try {
    parseCommunityConfig(yaml, 'demo.yaml', options);
  } catch (error) {
    assert.ok(error instanceof CommunityConfigError, `expected a CommunityConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the configuration to be refused');
}

const lines = (...l: string[]) => `${l.join('\n')}\n`;
const HEAD = ['id: demo', 'name: Demo', 'compounds:', '  - {id: c1, name: One}', 'devices:'];

describe('parseCommunityConfig: valid documents', () => {
  it('parses the contract example exactly', () => {
    assert.deepEqual(parseCommunityConfig(CONTRACT_EXAMPLE), {
      id: 'demo',
      name: '示例社区',
      timezone: 'Asia/Shanghai',
      periods: { day: '06:00-22:00' },
      compounds: [{ id: 'c1', name: '一号小区', propertyManaged: true, parkingSpaces: 120 }],
      devices: [
        { id: 'n-01', type: 'noise', compound: 'c1', zone: '1', site: 'residential', hornBan: true, intervalS: 60, location: { x: 120, y: 40 } },
        { id: 'n-02', type: 'noise', compound: 'c1', zone: '2', site: 'construction', permittedHours: ['07:00-12:00', '14:00-20:00'] },
        { id: 'b-01', type: 'waste_bin', compound: 'c1', category: 'kitchen' },
        { id: 'g-01', type: 'access_gate', compound: 'c1' },
      ],
      rules: { 'waste.overflow': { warning: 85 } },
    });
  });

  it('fills the defaults: timezone Asia/Shanghai, day 06:00-22:00, no compounds, devices or rules', () => {
    assert.deepEqual(parseCommunityConfig('id: demo\nname: 示例\n'), {
      id: 'demo',
      name: '示例',
      timezone: 'Asia/Shanghai',
      periods: { day: '06:00-22:00' },
      compounds: [],
      devices: [],
      rules: {},
    });
  });

  it('periods: {} still gets the default day', () => {
    assert.deepEqual(parseCommunityConfig('id: demo\nname: D\nperiods: {}\n').periods, { day: '06:00-22:00' });
  });

  it('keeps a given time zone and day period', () => {
    const c = parseCommunityConfig('id: demo\nname: D\ntimezone: Europe/Berlin\nperiods: {day: "07:00-23:00"}\n');
    assert.equal(c.timezone, 'Europe/Berlin');
    assert.equal(c.periods.day, '07:00-23:00');
  });

  it('every GB 3096 zone class is accepted for a noise meter', () => {
    assert.deepEqual([...NOISE_ZONES], ['0', '1', '2', '3', '4a', '4b']);
    for (const zone of NOISE_ZONES) {
      const c = parseCommunityConfig(lines(...HEAD, `  - {id: n-01, type: noise, compound: c1, zone: "${zone}"}`));
      assert.equal(c.devices[0].zone, zone);
    }
  });

  it('a device of every type without type-specific keys', () => {
    const c = parseCommunityConfig(
      lines(...HEAD, '  - {id: a, type: waste_bin, compound: c1}', '  - {id: b, type: ev_charger, compound: c1}', '  - {id: c, type: water_meter, compound: c1}', '  - {id: d, type: gas_meter, compound: c1}', '  - {id: e, type: access_gate, compound: c1}'),
    );
    assert.equal(c.devices.length, 5);
  });

  it('allowKeys leaves a scenario file\'s extra top-level keys out of validation', () => {
    const c = parseCommunityConfig('id: demo\nname: D\nincidents:\n  - {at: "10:00"}\n', 'scenario.yaml', { allowKeys: ['incidents'] });
    assert.equal(c.id, 'demo');
    assert.equal('incidents' in c, false);
  });

  it('hour ranges: 00:00-24:00 and wrapping ranges are valid, 24:00 as a start is not', () => {
    for (const r of ['00:00-24:00', '22:00-06:00', '07:30-12:45']) assert.match(r, HOUR_RANGE);
    for (const r of ['24:00-06:00', '7:00-12:00', '07:00-12:60', '07:00–12:00', '07:00-12:00 ']) assert.doesNotMatch(r, HOUR_RANGE);
  });
});

describe('parseCommunityConfig: errors name the field and the line', () => {
  it('an unknown top-level key: its name and its line', () => {
    const e = configError(lines('id: demo', 'name: D', 'colour: green'));
    assert.deepEqual(e.problems, [{ field: 'colour', expected: 'no such key (unknown keys are errors)', got: 'a value', line: 3 }]);
    assert.equal(e.message, 'demo.yaml: line 3: colour: expected no such key (unknown keys are errors), got a value');
    assert.equal(e.source, 'demo.yaml');
    assert.equal(e.name, 'CommunityConfigError');
  });

  it('two unknown keys: both named, each with its own line', () => {
    const e = configError(lines('id: demo', 'colour: green', 'name: D', 'owner: x'));
    assert.deepEqual(
      e.problems.map((p) => [p.field, p.line]),
      [
        ['colour', 2],
        ['owner', 4],
      ],
    );
  });

  it('an unknown key in a block-style device: the path and the key\'s own line', () => {
    const e = configError(lines('id: demo', 'name: D', 'compounds:', '  - id: c1', '    name: C', 'devices:', '  - id: b-01', '    type: waste_bin', '    compound: c1', '    colour: red'));
    assert.deepEqual(e.problems, [{ field: 'devices.0.colour', expected: 'no such key (unknown keys are errors)', got: 'a value', line: 10 }]);
  });

  it('an unknown key in a flow-style compound', () => {
    const e = configError(lines('id: demo', 'name: D', 'compounds:', '  - {id: c1, name: C}', '  - {id: c2, name: C2, floors: 30}'));
    assert.deepEqual(e.problems, [{ field: 'compounds.1.floors', expected: 'no such key (unknown keys are errors)', got: 'a value', line: 5 }]);
  });

  it('a misspelt nested key (periods.night) is an error, not ignored', () => {
    const e = configError(lines('id: demo', 'name: D', 'periods: {day: "06:00-22:00", night: "22:00-06:00"}'));
    assert.equal(e.problems[0].field, 'periods.night');
    assert.equal(e.problems[0].line, 3);
  });

  it('a noise meter without a zone', () => {
    const e = configError(lines(...HEAD, '  - {id: b-01, type: waste_bin, compound: c1}', '  - {id: n-01, type: noise, compound: c1}'));
    assert.equal(e.problems.length, 1);
    assert.equal(e.problems[0].field, 'devices.1.zone');
    assert.match(e.problems[0].expected, /GB 3096 zone class \(0, 1, 2, 3, 4a, 4b\) for noise meter n-01/);
    assert.equal(e.problems[0].got, 'nothing');
    assert.equal(e.problems[0].line, 7);
  });

  it('a zone written as a number (zone: 1) names the accepted strings', () => {
    const e = configError(lines(...HEAD, '  - {id: n-01, type: noise, compound: c1, zone: 1}'));
    assert.deepEqual(e.problems, [{ field: 'devices.0.zone', expected: 'one of "0", "1", "2", "3", "4a", "4b"', got: '1', line: 6 }]);
  });

  it('noise-only keys on another device type', () => {
    const e = configError(lines(...HEAD, '  - {id: b-01, type: waste_bin, compound: c1, zone: "1", hornBan: true}'));
    assert.deepEqual(
      e.problems.map((p) => [p.field, p.expected]),
      [
        ['devices.0.zone', 'no zone on a waste_bin (noise meters only)'],
        ['devices.0.hornBan', 'no hornBan on a waste_bin (noise meters only)'],
      ],
    );
  });

  it('a category on something that is not a waste bin', () => {
    const e = configError(lines(...HEAD, '  - {id: g-01, type: access_gate, compound: c1, category: kitchen}'));
    assert.equal(e.problems[0].field, 'devices.0.category');
    assert.match(e.problems[0].expected, /waste bins only/);
  });

  it('a device in an unknown compound names the compounds that exist', () => {
    const e = configError(lines(...HEAD, '  - {id: b-01, type: waste_bin, compound: c9}'));
    assert.deepEqual(e.problems, [{ field: 'devices.0.compound', expected: 'one of the compounds listed (c1)', got: '"c9"', line: 6 }]);
  });

  it('a device when no compound is listed', () => {
    const e = configError(lines('id: demo', 'name: D', 'devices:', '  - {id: b-01, type: waste_bin, compound: c1}'));
    assert.equal(e.problems[0].expected, 'one of the compounds listed (none)');
  });

  it('duplicate device ids: the second one, with its line', () => {
    const e = configError(lines(...HEAD, '  - {id: b-01, type: waste_bin, compound: c1}', '  - {id: b-01, type: water_meter, compound: c1}'));
    assert.deepEqual(e.problems, [{ field: 'devices.1.id', expected: 'a unique device id (b-01 is listed twice)', got: '"b-01"', line: 7 }]);
  });

  it('duplicate compound ids', () => {
    const e = configError(lines('id: demo', 'name: D', 'compounds:', '  - {id: c1, name: C}', '  - {id: c1, name: C again}'));
    assert.deepEqual(e.problems, [{ field: 'compounds.1.id', expected: 'a unique compound id (c1 is listed twice)', got: '"c1"', line: 5 }]);
  });

  it('a time zone that does not exist', () => {
    const e = configError(lines('id: demo', 'name: D', 'timezone: Mars/Olympus_Mons'));
    assert.deepEqual(e.problems, [{ field: 'timezone', expected: 'an IANA time zone such as Asia/Shanghai', got: '"Mars/Olympus_Mons"', line: 3 }]);
  });

  it('a community id that is not an id', () => {
    const e = configError(lines('id: Demo Community', 'name: D'));
    assert.equal(e.problems[0].field, 'id');
    assert.equal(e.problems[0].got, '"Demo Community"');
    assert.equal(e.problems[0].line, 1);
  });

  it('a missing name', () => {
    const e = configError(lines('id: demo'));
    assert.equal(e.problems[0].field, 'name');
    assert.equal(e.problems[0].got, 'nothing');
  });

  it('an unknown device type', () => {
    const e = configError(lines(...HEAD, '  - {id: x, type: smoke, compound: c1}'));
    assert.equal(e.problems[0].field, 'devices.0.type');
    assert.match(e.problems[0].expected, /"noise", "waste_bin", "ev_charger", "water_meter", "gas_meter", "access_gate"/);
  });

  it('a bad day period and a bad permitted hour', () => {
    const e = configError(lines('id: demo', 'name: D', 'periods: {day: "6-22"}', 'compounds:', '  - {id: c1, name: C}', 'devices:', '  - {id: n-01, type: noise, compound: c1, zone: "1", permittedHours: ["07:00-25:00"]}'));
    assert.deepEqual(
      e.problems.map((p) => [p.field, p.line]),
      [
        ['periods.day', 3],
        ['devices.0.permittedHours.0', 7],
      ],
    );
  });

  it('intervalS must be a whole number of seconds between 1 and 86400', () => {
    for (const v of ['0', '1.5', '86401']) {
      const e = configError(lines(...HEAD, `  - {id: w, type: water_meter, compound: c1, intervalS: ${v}}`));
      assert.equal(e.problems[0].field, 'devices.0.intervalS', v);
    }
  });

  it('every problem of a file is reported at once', () => {
    const e = configError(lines('id: demo', 'name: D', 'colour: x', 'timezone: Nowhere/Land', 'compounds:', '  - {id: c1, name: C}', 'devices:', '  - {id: n-01, type: noise, compound: c2}'));
    assert.deepEqual(e.problems.map((p) => p.field).sort(), ['colour', 'devices.0.compound', 'devices.0.zone', 'timezone']);
  });

  it('a document that is a list, not a map', () => {
    const e = configError('- a\n- b\n');
    assert.equal(e.problems[0].expected, 'an object');
  });

  it('a YAML syntax error is refused with a YAML reason', () => {
    const e = configError(lines('id: demo', 'name: D', 'devices:', '  - {id: x, type: noise'));
    assert.equal(e.problems[0].field, '(yaml)');
    assert.equal(e.problems[0].expected, 'valid YAML');
    assert.match(e.problems[0].got, /\S/);
  });

  it('a duplicated key is a YAML error, not last-one-wins', () => {
    const e = configError(lines('id: demo', 'name: D', 'id: other'));
    assert.equal(e.problems[0].field, '(yaml)');
    assert.match(e.problems[0].got, /unique/);
  });
});
