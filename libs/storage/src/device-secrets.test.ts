import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FileDeviceSecretStore } from './device-secrets.js';

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'greenwatch-secrets-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

let n = 0;
/** A fresh file path per test, in a directory that does not exist yet. */
const freshPath = () => join(root, `case-${++n}`, 'nested', 'device-secrets.json');

const n01 = { communityId: 'demo', deviceType: 'noise' as const, deviceId: 'n-01' };
const n02 = { communityId: 'demo', deviceType: 'noise' as const, deviceId: 'n-02' };

describe('FileDeviceSecretStore', () => {
  it('a missing file verifies nothing', async () => {
    const store = new FileDeviceSecretStore(freshPath());
    assert.deepEqual(await store.verify('n-01', 'anything'), []);
  });

  it('issue, then verify: the device address comes back', async () => {
    const store = new FileDeviceSecretStore(freshPath());
    const secret = await store.issue(n01);
    assert.deepEqual(await store.verify('n-01', secret), [n01]);
  });

  it('secrets are 256-bit random, base64url, different every time', async () => {
    const store = new FileDeviceSecretStore(freshPath());
    const a = await store.issue(n01);
    const b = await store.issue(n02);
    assert.match(a, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(a, b);
  });

  it('a wrong secret, an empty secret or another device\'s secret fails', async () => {
    const store = new FileDeviceSecretStore(freshPath());
    const s1 = await store.issue(n01);
    const s2 = await store.issue(n02);
    assert.deepEqual(await store.verify('n-01', `${s1}x`), []);
    assert.deepEqual(await store.verify('n-01', s1.slice(0, -1)), []);
    assert.deepEqual(await store.verify('n-01', ''), []);
    assert.deepEqual(await store.verify('n-01', s2), []);
    assert.deepEqual(await store.verify('n-03', s1), []);
  });

  it('re-issuing invalidates the old secret', async () => {
    const store = new FileDeviceSecretStore(freshPath());
    const old = await store.issue(n01);
    const fresh = await store.issue(n01);
    assert.deepEqual(await store.verify('n-01', old), []);
    assert.deepEqual(await store.verify('n-01', fresh), [n01]);
  });

  it('re-issuing one device leaves the others working', async () => {
    const store = new FileDeviceSecretStore(freshPath());
    const s2 = await store.issue(n02);
    await store.issue(n01);
    await store.issue(n01);
    assert.deepEqual(await store.verify('n-02', s2), [n02]);
  });

  it('the same device id in two communities has two secrets', async () => {
    const store = new FileDeviceSecretStore(freshPath());
    const other = { communityId: 'other', deviceType: 'gas_meter' as const, deviceId: 'n-01' };
    const s1 = await store.issue(n01);
    const s2 = await store.issue(other);
    assert.deepEqual(await store.verify('n-01', s1), [n01]);
    assert.deepEqual(await store.verify('n-01', s2), [other]);
  });

  it('the file is mode 0600 and holds no secret in clear', async () => {
    const path = freshPath();
    const store = new FileDeviceSecretStore(path);
    const secret = await store.issue(n01);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    const text = await readFile(path, 'utf8');
    assert.equal(text.includes(secret), false);
    const parsed = JSON.parse(text) as { version: number; devices: Record<string, string>[] };
    assert.equal(parsed.version, 1);
    assert.equal(parsed.devices.length, 1);
    assert.match(parsed.devices[0].sha256, /^[0-9a-f]{64}$/);
    assert.equal(parsed.devices[0].deviceId, 'n-01');
  });

  it('leaves no temporary file behind', async () => {
    const path = freshPath();
    await new FileDeviceSecretStore(path).issue(n01);
    const { readdir } = await import('node:fs/promises');
    assert.deepEqual(await readdir(join(path, '..')), ['device-secrets.json']);
  });

  it('a second store on the same file sees a secret issued by the first', async () => {
    const path = freshPath();
    const cli = new FileDeviceSecretStore(path);
    const broker = new FileDeviceSecretStore(path);
    assert.deepEqual(await broker.verify('n-01', 'x'), []); // broker has read the (missing) file once
    const secret = await cli.issue(n01);
    assert.deepEqual(await broker.verify('n-01', secret), [n01]);
  });

  it('a second store sees a re-issue by the first (old secret stops working there too)', async () => {
    const path = freshPath();
    const cli = new FileDeviceSecretStore(path);
    const broker = new FileDeviceSecretStore(path);
    const old = await cli.issue(n01);
    assert.deepEqual(await broker.verify('n-01', old), [n01]);
    const fresh = await cli.issue(n01);
    assert.deepEqual(await broker.verify('n-01', old), []);
    assert.deepEqual(await broker.verify('n-01', fresh), [n01]);
  });

  it('a store issuing after another keeps the other\'s devices', async () => {
    const path = freshPath();
    const a = new FileDeviceSecretStore(path);
    const b = new FileDeviceSecretStore(path);
    const s1 = await a.issue(n01);
    const s2 = await b.issue(n02);
    assert.deepEqual(await a.verify('n-01', s1), [n01]);
    assert.deepEqual(await a.verify('n-02', s2), [n02]);
  });

  it('a file removed after loading verifies nothing', async () => {
    const path = freshPath();
    const store = new FileDeviceSecretStore(path);
    const secret = await store.issue(n01);
    await rm(path);
    assert.deepEqual(await store.verify('n-01', secret), []);
  });

  it('a file written by hand without devices is an empty store', async () => {
    const path = join(root, `case-${++n}.json`);
    await writeFile(path, '{"version":1}\n');
    assert.deepEqual(await new FileDeviceSecretStore(path).verify('n-01', 'x'), []);
  });
});
