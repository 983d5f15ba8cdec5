import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { type RunningSupervisor, portAnswers, startSupervisor } from './support/index.js';

/**
 * `npm start` now runs rules and api too: the api answers on API_PORT once healthy, a key from
 * the CLI reads the example community, and Ctrl-C stops the api with the rest.
 */
const run = promisify(execFile);

describe('npm start with the api', () => {
  let supervisor: RunningSupervisor;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    supervisor = await startSupervisor();
    env = supervisor.env;
    assert.match(supervisor.output(), /ready\..*\/api\/docs/, `the ready line does not name the API docs:\n${supervisor.output()}`);
    assert.match(supervisor.output(), new RegExp(`ready\\..*rules health http://127\\.0\\.0\\.1:${env.RULES_PORT}/health`), 'the ready line names the rules\' /health');
  });

  after(async () => {
    await supervisor?.stop();
  });

  it('serves the API with a key from the CLI, and reports every service healthy', async () => {
    const { stdout } = await run(process.execPath, [join('dist', 'scripts', 'cli.js'), 'key', 'create', '--role', 'manager', '--community', 'demo'], { env });
    const key = stdout.split('\n')[0];
    const base = `http://127.0.0.1:${env.API_PORT}`;
    const communities = (await (await fetch(`${base}/api/communities`, { headers: { authorization: `Bearer ${key}` } })).json()) as { communities: { id: string }[] };
    assert.deepEqual(communities.communities.map((c: { id: string }) => c.id), ['demo']);
    const health = (await (await fetch(`${base}/health`)).json()) as { status: string; services: Record<string, { status: string }> };
    assert.equal(health.status, 'ok', JSON.stringify(health));
    assert.deepEqual([health.services.broker.status, health.services.ingest.status, health.services.rules.status], ['ok', 'ok', 'ok']);
    assert.equal((await fetch(`${base}/api/communities`)).status, 401);
  });

  it('stops the api with everything else on Ctrl-C', async () => {
    assert.equal(await supervisor.interrupt(), 0);
    assert.equal(await portAnswers(Number(env.API_PORT)), false);
  });
});
