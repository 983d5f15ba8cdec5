import { brief, engineFor, event, noiseMinutes, run, sh } from './fixtures.js';

/**
 * Prints the alerts of a fixed day to stdout as JSON. engine.test.ts runs it under TZ=UTC and
 * TZ=America/New_York: the process zone must change nothing.
 */
const meters = ['{id: n-01, type: noise, compound: c1, zone: "1", hornBan: true}', '{id: n-02, type: noise, compound: c1, zone: "2", site: construction, permittedHours: ["07:00-12:00"]}', '{id: w-01, type: water_meter, compound: c1}'];
const messages = [
  ...noiseMinutes('n-01', sh('21:00'), 120, () => 48, (i) => (i === 70 ? 75 : 55)),
  ...noiseMinutes('n-02', sh('11:50'), 30, () => 65),
  event('noise', 'n-01', sh('21:30'), 'horn', { lmax: 90 }),
];
messages.sort((a, b) => a.ts - b.ts);
process.stdout.write(`${JSON.stringify({ tz: Intl.DateTimeFormat().resolvedOptions().timeZone, offset: new Date(0).getTimezoneOffset(), alerts: run(engineFor(meters), messages).map(brief) })}\n`);
