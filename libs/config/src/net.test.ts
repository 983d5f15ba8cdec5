import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { freePort, portAnswers } from './net.js';

describe('freePort', () => {
  it('hands out distinct ports below the kernel\'s ephemeral range that a server can bind', async () => {
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    assert.equal(new Set(ports).size, 20, 'never the same port twice');
    const range = '/proc/sys/net/ipv4/ip_local_port_range';
    const low = existsSync(range) ? Number(readFileSync(range, 'utf8').trim().split(/\s+/)[0]) : 32_768;
    if (low > 11_000) for (const port of ports) assert.ok(port >= 10_000 && port < low, `${port} below the ephemeral range (from ${low})`);
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(ports[0], '127.0.0.1', resolve));
    try {
      assert.equal(await portAnswers(ports[0]), true);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
