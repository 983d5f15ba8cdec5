import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ACK_BODY, ALERT_LIST_QUERY, RESOLVE_BODY } from '../alerts/alert-queries.js';
import { time } from './params.js';

describe('time parameter (contract: RFC 3339 or epoch ms)', () => {
  it('accepts both forms, with any offset', () => {
    assert.equal(time.parse('1767225600000'), 1767225600000);
    assert.equal(time.parse('2026-01-01T08:00:00+08:00'), Date.UTC(2026, 0, 1));
    assert.equal(time.parse('2026-01-01T00:00:00.123Z'), Date.UTC(2026, 0, 1) + 123);
  });
  it('refuses local times without offset, other formats and times outside 2000–2100', () => {
    for (const v of ['2026-01-01T00:00:00', '2026-01-01', 'now', '-1', '1e12', '99999999999999999', '1.5', '946684799999', '2026-13-01T00:00:00Z']) assert.equal(time.safeParse(v).success, false, v);
  });
});

describe('alert list query', () => {
  it('parses the contract filters plus device, time and limit', () => {
    assert.deepEqual(ALERT_LIST_QUERY.parse({ community: 'demo', state: 'open', criterion: '12', rule: 'security.gate_forced', device: 'g-01', from: '1000000000000', limit: '50' }), {
      community: 'demo', state: 'open', criterion: '12', rule: 'security.gate_forced', device: 'g-01', from: 1000000000000, limit: 50,
    });
  });
  it('names what is wrong', () => {
    const path = (q: Record<string, unknown>) => {
      const r = ALERT_LIST_QUERY.safeParse(q);
      return r.success ? undefined : (r.error.issues[0].path[0] ?? (r.error.issues[0] as { keys?: string[] }).keys?.[0]);
    };
    assert.equal(path({ state: 'acknowledged' }), undefined);
    assert.equal(path({ state: 'closed' }), 'state');
    assert.equal(path({ criterion: '19' }), 'criterion');
    assert.equal(path({ criterion: '0' }), 'criterion');
    assert.equal(path({ limit: '1001' }), 'limit');
    assert.equal(path({ device: 'G-01' }), 'device');
    assert.equal(path({ from: '2000000000000', to: '1000000000000' }), 'from');
    assert.equal(path({ sort: 'x' }), 'sort');
  });
  it('bodies: a resolve needs a comment; names are trimmed and refuse control characters', () => {
    assert.equal(RESOLVE_BODY.safeParse({ by: 'li' }).success, false);
    assert.deepEqual(ACK_BODY.parse({ by: '  张工 ' }), { by: '张工' });
    assert.equal(ACK_BODY.safeParse({ by: 'li\u0000' }).success, false);
  });
});
