import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCommunityConfig } from '#contracts';
import { wasteEvidence, wasteEvidenceCsv, wasteEvidenceHtml } from './waste-evidence.js';

const config = parseCommunityConfig(
  [
    'id: wc',
    'name: 垃圾分类社区',
    'compounds:',
    '  - {id: c1, name: 一号小区}',
    '  - {id: c2, name: 二号小区}',
    'devices:',
    '  - {id: b-k, type: waste_bin, compound: c1, category: kitchen}',
    '  - {id: b-r, type: waste_bin, compound: c1, category: recyclable}',
    '  - {id: b-h, type: waste_bin, compound: c1, category: hazardous}',
    '  - {id: b-o, type: waste_bin, compound: c1, category: other}',
    '  - {id: b-2k, type: waste_bin, compound: c2, category: kitchen}',
  ].join('\n'),
);
const FROM = Date.parse('2026-11-02T00:00:00Z');
const TO = FROM + 10 * 3_600_000;
const min = (m: number) => FROM + m * 60_000;
const all = (n: number) => ['b-k', 'b-r', 'b-h', 'b-o', 'b-2k'].map((device) => ({ device, hoursWithData: n }));

describe('criterion 5 evidence', () => {
  it('finds each fill-up with its time to empty, overflows and bins left full, and says why it fails', () => {
    const e = wasteEvidence({
      config,
      from: FROM,
      to: TO,
      hours: all(10).map((h) => (h.device === 'b-o' ? { ...h, hoursWithData: 9 } : h)),
      fill: [
        // kitchen: full at 60 min, overflowing at 80, emptied at 95
        { device: 'b-k', t: min(50), maxPct: 40 },
        { device: 'b-k', t: min(60), maxPct: 85 },
        { device: 'b-k', t: min(80), maxPct: 96 },
        { device: 'b-k', t: min(90), maxPct: 97 },
        { device: 'b-k', t: min(100), maxPct: 5 },
        // recyclable: full at 120, no emptied event, below 50 again at 170
        { device: 'b-r', t: min(120), maxPct: 82 },
        { device: 'b-r', t: min(170), maxPct: 30 },
        // hazardous: full from 300 to the end of the period (5 h: longer than waste.not_emptied's 4 h)
        { device: 'b-h', t: min(300), maxPct: 81 },
        { device: 'b-h', t: min(590), maxPct: 83 },
      ],
      emptied: [
        { device: 'b-k', t: min(95) },
        { device: 'b-r', t: min(10) }, // an emptying with nothing full: no fill-up
      ],
    });
    assert.deepEqual(
      e.episodes.map((x) => [x.deviceId, x.start, x.peakPct, x.overflowed, x.endedBy, x.minutesToEmpty ?? null, x.tooLong]),
      [
        ['b-h', min(300), 83, false, 'still full', null, true],
        ['b-k', min(60), 97, true, 'emptied', 35, false],
        ['b-r', min(120), 82, false, 'fell below', 50, false],
      ],
    );
    assert.deepEqual(e.verdict, {
      pass: false,
      reasons: [
        'compound c1 (一号小区): no other bin online 95% of the hours',
        'compound c2 (二号小区) has no recyclable bin',
        'compound c2 (二号小区) has no hazardous bin',
        'compound c2 (二号小区) has no other bin',
        'bin b-o reported in 90% of hours (required 95%)',
        'bin b-h stayed full (from ≥ 80% until emptied or below 50%) for more than 4 h 1 time(s)',
        'bin b-k overflowed (≥ 95%) 1 time(s)',
      ],
    });
    assert.deepEqual(e.compounds[0].coverage.map((k) => [k.category, k.online]), [['recyclable', ['b-r']], ['hazardous', ['b-h']], ['kitchen', ['b-k']], ['other', []]]);
    assert.equal(e.bins.find((b) => b.deviceId === 'b-k')?.fillUps, 1);
    assert.match(wasteEvidenceCsv(e), /^deviceId,compoundId,category,start,peakPct,overflowed,endedBy,end,minutesToEmpty,tooLong\nb-h,c1,hazardous,2026-11-02T05:00:00.000Z,83,false,still full,,,true\n/);
    assert.match(wasteEvidenceHtml(e), /FAIL 未达标/);
  });

  it('passes a community whose compounds are covered by online bins that are emptied in time', () => {
    const covered = parseCommunityConfig(['id: ok', 'name: OK', 'compounds:', '  - {id: c1, name: C}', 'devices:', ...['kitchen', 'recyclable', 'hazardous', 'other'].map((c) => `  - {id: b-${c}, type: waste_bin, compound: c1, category: ${c}}`)].join('\n'));
    const e = wasteEvidence({
      config: covered,
      from: FROM,
      to: TO,
      hours: ['kitchen', 'recyclable', 'hazardous', 'other'].map((c) => ({ device: `b-${c}`, hoursWithData: 10 })),
      fill: [
        { device: 'b-kitchen', t: min(60), maxPct: 88 },
        { device: 'b-kitchen', t: min(70), maxPct: 10 },
      ],
      emptied: [{ device: 'b-kitchen', t: min(65) }],
    });
    assert.deepEqual(e.verdict, { pass: true, reasons: [] });
    assert.deepEqual(e.episodes.map((x) => [x.endedBy, x.minutesToEmpty]), [['emptied', 5]]);
  });

  it('uses the community\'s thresholds: a warning level of 90 makes an 85% bin not full', () => {
    const strict = parseCommunityConfig(['id: th', 'name: T', 'compounds:', '  - {id: c1, name: C}', 'devices:', '  - {id: b-1, type: waste_bin, compound: c1, category: kitchen}', 'rules:', '  waste.overflow: {warning: 90}'].join('\n'));
    const e = wasteEvidence({ config: strict, from: FROM, to: TO, hours: [{ device: 'b-1', hoursWithData: 10 }], fill: [{ device: 'b-1', t: min(60), maxPct: 85 }], emptied: [] });
    assert.deepEqual(e.episodes, []);
  });
});
