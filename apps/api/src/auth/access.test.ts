import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../http/api-error.js';
import { type Principal, assertAct, assertAdmin, assertRead, canAct, canRead, isReadMethod, readScope } from './access.js';

const manager: Principal = { keyId: 'm', label: 'm', role: 'manager', communities: ['demo'] };
const inspector: Principal = { keyId: 'i', label: 'i', role: 'inspector', communities: [] };
const admin: Principal = { keyId: 'a', label: 'a', role: 'admin', communities: [] };

const status = (fn: () => void) => {
  try {
    fn();
    return 200;
  } catch (e) {
    assert.ok(e instanceof ApiError);
    return e.getStatus();
  }
};

describe('access policy', () => {
  it('a manager reads and acts on its communities only', () => {
    assert.deepEqual([canRead(manager, 'demo'), canRead(manager, 'east'), canAct(manager, 'demo'), canAct(manager, 'east')], [true, false, true, false]);
    assert.deepEqual(readScope(manager), ['demo']);
    assert.equal(status(() => assertRead(manager, 'east')), 403);
    assert.equal(status(() => assertAct(manager, 'demo')), 200);
  });

  it('an inspector reads everything and acts on nothing', () => {
    assert.equal(readScope(inspector), undefined);
    assert.equal(canRead(inspector, 'anything'), true);
    assert.equal(canAct(inspector, 'demo'), false);
    assert.equal(status(() => assertAct(inspector, 'demo')), 403);
  });

  it('an admin does everything; only an admin passes assertAdmin', () => {
    assert.equal(canAct(admin, 'x'), true);
    assert.deepEqual([admin, manager, inspector].map((p) => status(() => assertAdmin(p))), [200, 403, 403]);
  });

  it('read methods', () => {
    assert.deepEqual(['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'DELETE', 'PATCH'].map(isReadMethod), [true, true, true, false, false, false, false]);
  });
});
