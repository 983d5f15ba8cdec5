import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InfluxdNotInstalledError, influxdAvailable, renderInfluxdConfig } from './local-influxd.js';

/** The few TOML shapes renderInfluxdConfig writes: [section] and key = value. */
function parseToml(text: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = { '': {} };
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const header = /^\[([a-z_]+)\]$/.exec(line);
    if (header) {
      section = header[1];
      assert.equal(out[section], undefined, `section [${section}] twice`);
      out[section] = {};
      continue;
    }
    const kv = /^([a-z-]+) = (.+)$/.exec(line);
    assert.ok(kv, `not a key = value line: ${raw}`);
    assert.equal(out[section][kv[1]], undefined, `${kv[1]} twice in [${section}]`);
    out[section][kv[1]] = kv[2].startsWith('"') ? (JSON.parse(kv[2]) as string) : kv[2];
  }
  return out;
}

describe('renderInfluxdConfig', () => {
  const config = parseToml(renderInfluxdConfig({ dir: '/var/lib/gw/influxd', httpPort: 18086, rpcPort: 18088 }));

  it('disables reporting home', () => {
    assert.equal(config['']['reporting-disabled'], 'true');
  });

  it('binds HTTP and RPC on loopback only, on the given ports', () => {
    assert.equal(config.http['bind-address'], '127.0.0.1:18086');
    assert.equal(config['']['bind-address'], '127.0.0.1:18088');
    assert.equal(config.http.enabled, 'true');
  });

  it('keeps meta, data and wal under the given directory', () => {
    assert.equal(config.meta.dir, '/var/lib/gw/influxd/meta');
    assert.equal(config.data.dir, '/var/lib/gw/influxd/data');
    assert.equal(config.data['wal-dir'], '/var/lib/gw/influxd/wal');
  });

  it('stores no internal monitoring data', () => {
    assert.equal(config.monitor['store-enabled'], 'false');
  });

  it('a directory with quotes, spaces and a newline stays one quoted value', () => {
    const dir = '/tmp/a "b"\n[http]\nbind-address = "0.0.0.0:1"';
    const text = renderInfluxdConfig({ dir, httpPort: 1, rpcPort: 2 });
    const parsed = parseToml(text);
    assert.equal(parsed.meta.dir, `${dir}/meta`);
    assert.equal(parsed.http['bind-address'], '127.0.0.1:1');
  });
});

describe('influxd detection', () => {
  it('a binary that does not exist is not available', () => {
    assert.equal(influxdAvailable('/nonexistent/greenwatch-no-influxd'), false);
  });

  it('the not-installed error tells how to install one or point at a server', () => {
    const e = new InfluxdNotInstalledError('influxd');
    assert.equal(e.name, 'InfluxdNotInstalledError');
    assert.match(e.message, /apt-get install influxdb/);
    assert.match(e.message, /INFLUX_URL=/);
  });
});
