import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CommunityConfigError } from '#contracts';
import { loadCommunityConfigs, loadDeviceRegistry } from './community-configs.js';

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'greenwatch-communities-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

async function dirWith(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(root, 'case-'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

const community = (id: string, devices = '') => `id: ${id}\nname: ${id}\ncompounds:\n  - {id: c1, name: C}\ndevices:\n${devices || '  []'}\n`;

describe('loadCommunityConfigs', () => {
  it('a missing directory is no communities (a fresh install)', async () => {
    assert.deepEqual(await loadCommunityConfigs(join(root, 'does-not-exist')), []);
  });

  it('an empty directory is no communities', async () => {
    assert.deepEqual(await loadCommunityConfigs(await dirWith({})), []);
  });

  it('reads every .yaml and .yml file, sorted by name, and nothing else', async () => {
    const dir = await dirWith({
      'b.yaml': community('bravo'),
      'a.yml': community('alpha'),
      'c.YAML': community('charlie'),
      'notes.txt': 'not yaml',
      'd.yaml.bak': 'id: broken',
      'README.md': '# x',
    });
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'sub', 'z.yaml'), community('zulu'));
    const configs = await loadCommunityConfigs(dir);
    assert.deepEqual(
      configs.map((c) => c.id),
      ['alpha', 'bravo', 'charlie'],
    );
    assert.equal(configs[0].timezone, 'Asia/Shanghai');
  });

  it('a bad file stops the load with the file\'s path, the field and the line', async () => {
    const dir = await dirWith({ 'good.yaml': community('good'), 'bad.yaml': 'id: bad\nname: Bad\nowner: someone\n' });
    await assert.rejects(loadCommunityConfigs(dir), (error: unknown) => {
      assert.ok(error instanceof CommunityConfigError);
      assert.equal(error.source, join(dir, 'bad.yaml'));
      assert.equal(error.message, `${join(dir, 'bad.yaml')}: line 3: owner: expected no such key (unknown keys are errors), got a value`);
      return true;
    });
  });

  it('a directory path that is a file is an error, not an empty registry', async () => {
    const dir = await dirWith({ 'x.yaml': community('x') });
    await assert.rejects(loadCommunityConfigs(join(dir, 'x.yaml')), { code: 'ENOTDIR' });
  });
});

describe('loadDeviceRegistry', () => {
  it('builds a registry of every device of every file', async () => {
    const dir = await dirWith({
      'demo.yaml': community('demo', '  - {id: n-01, type: noise, compound: c1, zone: "1"}\n  - {id: b-01, type: waste_bin, compound: c1}'),
      'other.yaml': community('other', '  - {id: n-01, type: noise, compound: c1, zone: "3"}'),
    });
    const registry = await loadDeviceRegistry(dir);
    assert.equal(registry.size, 3);
    assert.equal(registry.device('demo', 'n-01')?.zone, '1');
    assert.equal(registry.device('other', 'n-01')?.zone, '3');
    assert.equal(registry.device('other', 'b-01'), undefined);
  });

  it('two files with the same community id are refused', async () => {
    const dir = await dirWith({ 'a.yaml': community('demo'), 'b.yaml': community('demo') });
    await assert.rejects(loadDeviceRegistry(dir), { message: 'community demo is configured twice' });
  });
});
