import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type CommunityConfig, CommunityConfigError } from '#contracts';
import { CommunityConfigFollower, loadCommunityConfigs, loadDeviceRegistry } from './community-configs.js';

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

describe('CommunityConfigFollower', () => {
  const noise = (id: string, zone = '1') => `  - {id: ${id}, type: noise, compound: c1, zone: "${zone}"}`;

  /** A follower over `files`, applying into the registry as a service does; what it did is recorded. */
  async function follow(files: Record<string, string>, refuse: (c: CommunityConfig) => string | undefined = () => undefined) {
    const dir = await dirWith(files);
    const registry = await loadDeviceRegistry(dir);
    const applied: string[] = [];
    const logs: string[] = [];
    const follower = new CommunityConfigFollower({
      dir,
      registry,
      intervalMs: 0,
      apply: (config) => {
        const why = refuse(config);
        if (why) throw new Error(why);
        registry.put(config);
        applied.push(`${config.id}: ${config.devices.map((d) => d.id).join(' ')}`);
      },
      log: { log: (line) => logs.push(`log ${line}`), error: (line) => logs.push(`error ${line}`) },
    });
    await follower.start();
    return { dir, registry, applied, logs, follower };
  }

  it('applies a changed file, and only what changed', async () => {
    const f = await follow({ 'a.yaml': community('a', noise('n-01')), 'b.yaml': community('b', noise('n-01')) });
    assert.deepEqual(f.applied, [], 'the files are what the service loaded');
    await writeFile(join(f.dir, 'a.yaml'), community('a', [noise('n-01'), noise('n-02', '2')].join('\n')));
    await f.follower.scan();
    assert.deepEqual(f.applied, ['a: n-01 n-02']);
    assert.equal(f.registry.device('a', 'n-02')?.zone, '2');
    // the same text again, or only a comment more: nothing to apply
    await writeFile(join(f.dir, 'a.yaml'), `# edited\n${community('a', [noise('n-01'), noise('n-02', '2')].join('\n'))}`);
    await f.follower.scan();
    assert.deepEqual(f.applied, ['a: n-01 n-02']);
    assert.match(f.logs.join('\n'), /community a: .*a\.yaml changed, applied \(2 devices\)/);
  });

  it('brings in a new file\'s community', async () => {
    const f = await follow({ 'a.yaml': community('a') });
    await writeFile(join(f.dir, 'c.yml'), community('c', noise('n-09')));
    await f.follower.scan();
    assert.deepEqual(f.applied, ['c: n-09']);
    assert.equal(f.registry.device('c', 'n-09')?.type, 'noise');
  });

  it('a broken file changes nothing and is reported once, until it is mended', async () => {
    const f = await follow({ 'a.yaml': community('a', noise('n-01')) });
    await writeFile(join(f.dir, 'a.yaml'), community('a', noise('n-01', '9')));
    await f.follower.scan();
    await f.follower.scan();
    assert.deepEqual(f.applied, []);
    assert.equal(f.registry.device('a', 'n-01')?.zone, '1', 'the previous configuration stays');
    const errors = f.logs.filter((l) => l.startsWith('error'));
    assert.equal(errors.length, 1, f.logs.join('\n'));
    assert.match(errors[0], /a\.yaml: line 6: devices\.0\.zone: expected .*keeps its previous configuration/);
    await writeFile(join(f.dir, 'a.yaml'), community('a', noise('n-01', '2')));
    await f.follower.scan();
    assert.deepEqual(f.applied, ['a: n-01']);
    assert.equal(f.registry.device('a', 'n-01')?.zone, '2');
  });

  it('refuses a second file for a community, and what the service refuses', async () => {
    const f = await follow({ 'a.yaml': community('a', noise('n-01')) }, (c) => (c.devices.some((d) => d.id === 'bad') ? 'no bad devices here' : undefined));
    await writeFile(join(f.dir, 'a-copy.yaml'), community('a', noise('n-05')));
    await writeFile(join(f.dir, 'a.yaml'), community('a', noise('bad')));
    await f.follower.scan();
    assert.deepEqual(f.applied, []);
    assert.match(f.logs.join('\n'), /a-copy\.yaml: community a is already configured in .*a\.yaml; ignored/);
    assert.match(f.logs.join('\n'), /a\.yaml: community a not applied: no bad devices here/);
    assert.equal(f.registry.device('a', 'n-01')?.zone, '1');
  });

  it('a file that now holds another community no longer blocks its old one', async () => {
    const f = await follow({ 'a.yaml': community('a', noise('n-01')) });
    await writeFile(join(f.dir, 'a.yaml'), community('b', noise('n-01')));
    await f.follower.scan();
    await writeFile(join(f.dir, 'a-new.yaml'), community('a', noise('n-03')));
    await f.follower.scan();
    assert.deepEqual(f.applied, ['b: n-01', 'a: n-03']);
    assert.doesNotMatch(f.logs.join('\n'), /already configured/);
  });

  it('a deleted file leaves its community as it was, and says so', async () => {
    const f = await follow({ 'a.yaml': community('a', noise('n-01')) });
    await unlink(join(f.dir, 'a.yaml'));
    await f.follower.scan();
    assert.equal(f.registry.device('a', 'n-01')?.type, 'noise');
    assert.match(f.logs.join('\n'), /a\.yaml is gone: community a keeps its configuration until the service restarts/);
  });

  it('looks by itself every intervalMs once started, and stops', async () => {
    const dir = await dirWith({ 'a.yaml': community('a') });
    const registry = await loadDeviceRegistry(dir);
    let applied = 0;
    const follower = new CommunityConfigFollower({ dir, registry, intervalMs: 20, apply: (c) => void (registry.put(c), applied++), log: { log: () => {}, error: () => {} } });
    await follower.start();
    await writeFile(join(dir, 'a.yaml'), community('a', noise('n-01')));
    for (let i = 0; i < 250 && applied === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(applied, 1);
    await follower.stop();
    await writeFile(join(dir, 'a.yaml'), community('a', noise('n-02')));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(applied, 1, 'no look after stop()');
  });
});
