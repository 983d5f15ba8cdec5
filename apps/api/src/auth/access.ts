import type { ApiKeyRecord, ApiRole } from '#registry';
import { forbidden } from '../http/api-error.js';

/**
 * Who may do what (issue P4, "Access"):
 *   manager   - reads and acts on its own communities only
 *   inspector - reads every community, changes nothing
 *   admin     - everything, including keys and community documents
 */
export interface Principal {
  keyId: string;
  label: string;
  role: ApiRole;
  communities: string[];
}

export function principalOf(record: ApiKeyRecord): Principal {
  return { keyId: record.id, label: record.label, role: record.role, communities: record.communities };
}

/** The communities a principal may read: undefined means all. */
export function readScope(p: Principal): string[] | undefined {
  return p.role === 'manager' ? p.communities : undefined;
}

export function canRead(p: Principal, communityId: string): boolean {
  return p.role !== 'manager' || p.communities.includes(communityId);
}

export function canAct(p: Principal, communityId: string): boolean {
  return p.role === 'admin' || (p.role === 'manager' && p.communities.includes(communityId));
}

/** Methods an inspector may use (read-only). */
export function isReadMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
}

export function assertRead(p: Principal, communityId: string): void {
  if (!canRead(p, communityId)) throw forbidden(`this key may not read community ${communityId}`);
}

export function assertAct(p: Principal, communityId: string): void {
  if (p.role === 'inspector') throw forbidden('an inspector key is read-only');
  if (!canAct(p, communityId)) throw forbidden(`this key may not act on community ${communityId}`);
}

export function assertAdmin(p: Principal): void {
  if (p.role !== 'admin') throw forbidden('this needs an admin key');
}
