import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { engineFor, event, sh, telemetry } from './fixtures.js';
import { evaluateRules } from './operators.js';

const GATE = '{id: g-01, type: access_gate, compound: c1}';

describe('evaluateRules (marble, virtual time)', () => {
  it('emits an alert when the watermark passes the event, and flushes the rest on completion', () => {
    const scheduler = new TestScheduler((actual, expected) => assert.deepEqual(actual, expected));
    scheduler.run(({ cold, expectObservable }) => {
      const engine = engineFor([GATE], { latenessMs: 120_000 });
      const inputs = {
        f: { message: event('access_gate', 'g-01', sh('03:00'), 'forced_open') },
        a: { message: telemetry('access_gate', 'g-01', sh('03:01'), { doorClosed: false }) },
        b: { message: telemetry('access_gate', 'g-01', sh('03:02'), { doorClosed: false }) },
        c: { message: telemetry('access_gate', 'g-01', sh('03:04'), { doorClosed: false }) },
      };
      // f is judged when b moves the clock to 03:02; held_open (03:01 → 03:02 ≥ 60 s) when c moves it to 03:04;
      // c itself only at the end, by the flush (nothing new: already raised)
      const source = cold('f-a-b-c-|', inputs);
      const out = source.pipe(evaluateRules(engine), map((a) => `${a.rule}@${new Date(a.at).toISOString().slice(11, 16)}`));
      expectObservable(out).toBe('----x-y-|', { x: 'security.gate_forced@19:00', y: 'security.gate_held_open@19:02' });
    });
  });
});
