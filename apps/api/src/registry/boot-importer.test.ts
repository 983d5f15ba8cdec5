import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Logger } from '@nestjs/common';
import { loadAppConfig } from '#config';
import { parseCommunityConfig } from '#contracts';
import { RegistryDatabase, SqliteApiKeyRepository, SqliteCommunityRepository } from '#registry';
import { BootImporter } from './boot-importer.js';

const yaml = (id: string, name: string) => `id: ${id}\nname: ${name}\ncompounds:\n  - {id: c1, name: C}\ndevices:\n  - {id: n-01, type: noise, compound: c1, zone: "1"}\n`;

describe('BootImporter', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'greenwatch-boot-import-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes back to its file an edit the api made before it wrote files, and names a community that has no file', async () => {
    await writeFile(join(dir, 'demo.yaml'), yaml('demo', 'From the file'));
    const database = new RegistryDatabase(':memory:');
    const communities = new SqliteCommunityRepository(database);
    const config = loadAppConfig({ COMMUNITY_CONFIG_DIR: dir, COMMUNITY_CONFIG_POLL_S: '0' });
    const importer = new BootImporter(config, { now: () => 1_000 }, communities, new SqliteApiKeyRepository(database));
    await importer.onModuleInit();
    // what an older api did on PUT: the registry only, the file's hash kept
    communities.save({ ...communities.get('demo')!, name: 'Edited through the api' }, 'key k1', 2_000);
    communities.save(parseCommunityConfig(yaml('lonely', 'No file')), 'key k1', 2_000);
    const warnings: string[] = [];
    const warn = Logger.prototype.warn;
    Logger.prototype.warn = function (this: Logger, message: unknown) {
      warnings.push(String(message));
    };
    try {
      await importer.onModuleInit(); // the next boot
    } finally {
      Logger.prototype.warn = warn;
    }
    const file = parseCommunityConfig(await readFile(join(dir, 'demo.yaml'), 'utf8'));
    assert.equal(file.name, 'Edited through the api');
    assert.equal(communities.get('demo')?.name, 'Edited through the api');
    assert.match(warnings.join('\n'), /community lonely is in the api's registry but has no file/);
    await importer.onModuleInit(); // and once written back, the file is what the registry holds: nothing changes
    assert.equal(parseCommunityConfig(await readFile(join(dir, 'demo.yaml'), 'utf8')).name, 'Edited through the api');
  });
});
