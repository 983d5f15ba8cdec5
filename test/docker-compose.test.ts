import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { CONFIG_VARIABLES, ConfigError, loadAppConfig } from '#config';

/**
 * Docker cannot run here, so docker-compose.yml, Dockerfile and .dockerignore are checked
 * statically against the repository: the configuration table, package.json and the source tree.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url)); // dist/test/ -> repository root
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

interface Service {
  image?: string;
  build?: string | { context: string; dockerfile?: string };
  command?: string[] | string;
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | number)[];
  volumes?: string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test: string[] | string };
  restart?: string;
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const compose = parse(read('docker-compose.yml'), { merge: true }) as Compose;
const services = compose.services;
const packageJson = JSON.parse(read('package.json')) as { scripts: Record<string, string>; imports: Record<string, string> };
const tsconfig = JSON.parse(read('tsconfig.json')) as { compilerOptions: { outDir: string; rootDir: string } };

/** Services built from our own Dockerfile (as opposed to third-party images). */
const ourServices = Object.entries(services).filter(([, s]) => s.build !== undefined);

function environmentOf(service: Service): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) return Object.fromEntries(env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)]));
}

/** What compose makes of ${VAR:-default} when VAR is unset; a bare ${VAR} is refused (no silent empty values). */
function interpolate(value: string): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(:?-([^}]*))?\}/g, (whole, name: string, hasDefault: string | undefined, fallback: string | undefined) => {
    assert.ok(hasDefault, `${whole}: give a default (\${${name}:-...}) so that an unset variable is not silently empty`);
    return fallback ?? '';
  });
}

function resolvedEnvironment(service: Service): Record<string, string> {
  return Object.fromEntries(Object.entries(environmentOf(service)).map(([k, v]) => [k, interpolate(v)]));
}

function commandOf(service: Service): string[] {
  const c = service.command ?? [];
  return Array.isArray(c) ? c : c.split(/\s+/);
}

/** Dockerfile instructions by stage, with line continuations joined and comments dropped. */
function dockerfileStages(text: string): { name: string; instructions: { op: string; args: string }[] }[] {
  const joined = text.replace(/\\\n/g, ' ');
  const stages: { name: string; instructions: { op: string; args: string }[] }[] = [];
  for (const raw of joined.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [, op, args] = /^(\S+)\s+(.*)$/.exec(line) ?? [];
    assert.ok(op, `cannot read Dockerfile line: ${line}`);
    if (op.toUpperCase() === 'FROM') stages.push({ name: /\bAS\s+(\S+)/i.exec(args)?.[1] ?? String(stages.length), instructions: [] });
    assert.ok(stages.length, 'the Dockerfile starts with FROM');
    stages[stages.length - 1].instructions.push({ op: op.toUpperCase(), args: args.trim() });
  }
  return stages;
}

const stages = dockerfileStages(read('Dockerfile'));
const runtime = stages[stages.length - 1];
const entrypoint = JSON.parse(runtime.instructions.filter((i) => i.op === 'ENTRYPOINT').at(-1)?.args ?? '[]') as string[];
const defaultCmd = JSON.parse(runtime.instructions.filter((i) => i.op === 'CMD').at(-1)?.args ?? '[]') as string[];

/** The compiled main file of an app, from its source path (tsconfig rootDir '.', outDir 'dist'). */
const compiled = (source: string) => join(tsconfig.compilerOptions.outDir, source).replace(/\.ts$/, '.js');

describe('docker-compose.yml', () => {
  it('parses, and has influxdb, broker and ingest', () => {
    assert.equal(typeof compose, 'object');
    for (const name of ['influxdb', 'broker', 'ingest']) assert.ok(services[name], name);
  });

  it('every service has an image or a build', () => {
    for (const [name, s] of Object.entries(services)) assert.ok(s.image || s.build, name);
  });

  it('influxdb is InfluxDB 1.8 creating the greenwatch database on a volume', () => {
    const influx = services.influxdb;
    assert.equal(influx.image, 'influxdb:1.8');
    assert.equal(environmentOf(influx).INFLUXDB_DB, 'greenwatch');
    assert.ok(influx.volumes?.some((v) => v.endsWith(':/var/lib/influxdb')));
  });

  it('broker and ingest are built from our Dockerfile', () => {
    for (const name of ['broker', 'ingest']) {
      const build = services[name].build;
      const context = typeof build === 'string' ? build : build?.context;
      assert.equal(context, '.', name);
      assert.ok(existsSync(join(ROOT, typeof build === 'object' && build.dockerfile ? build.dockerfile : 'Dockerfile')));
    }
  });

  it('every service has a restart policy and a healthcheck', () => {
    for (const [name, s] of Object.entries(services)) {
      assert.ok(['always', 'unless-stopped', 'on-failure'].includes(s.restart ?? ''), `${name}: restart`);
      assert.ok(s.healthcheck?.test, `${name}: healthcheck`);
    }
  });

  it('our apps use only known configuration variables, as strings', () => {
    for (const [name, s] of ourServices) {
      for (const [key, value] of Object.entries(s.environment ?? {})) {
        assert.ok(CONFIG_VARIABLES.includes(key), `${name}: ${key} is not a configuration variable (CONFIG_VARIABLES)`);
        assert.equal(typeof value, 'string', `${name}: ${key} should be a quoted string, not ${typeof value}`);
      }
    }
  });

  it('each app\'s environment passes the apps\' own validation (loadAppConfig)', () => {
    for (const [name, s] of ourServices) {
      try {
        loadAppConfig(resolvedEnvironment(s));
      } catch (error) {
        if (error instanceof ConfigError) assert.fail(`${name}: ${error.message}`);
        throw error;
      }
    }
  });

  it('each app sets what it needs', () => {
    const needs: Record<string, string[]> = {
      broker: ['MQTT_PORT', 'MQTT_WS_PORT', 'MQTT_BIND', 'MQTT_ALLOW_ANONYMOUS', 'MQTT_USERNAME', 'MQTT_PASSWORD', 'DATA_DIR'],
      ingest: ['MQTT_URL', 'MQTT_USERNAME', 'MQTT_PASSWORD', 'INFLUX_URL', 'INFLUX_API', 'INFLUX_DB', 'INGEST_CLIENT_ID', 'COMMUNITY_CONFIG_DIR', 'DATA_DIR'],
      rules: ['MQTT_URL', 'MQTT_USERNAME', 'MQTT_PASSWORD', 'INFLUX_URL', 'INFLUX_API', 'INFLUX_DB', 'RULES_CLIENT_ID', 'RULES_PORT', 'COMMUNITY_CONFIG_DIR', 'DATA_DIR'],
    };
    for (const [name, variables] of Object.entries(needs)) {
      const env = environmentOf(services[name]);
      for (const v of variables) assert.ok(env[v] !== undefined && env[v] !== '', `${name} sets ${v}`);
    }
  });

  it('the broker refuses anonymous clients', () => {
    assert.equal(loadAppConfig(resolvedEnvironment(services.broker)).mqtt.allowAnonymous, false);
  });

  it('ingest logs in with the broker\'s service account', () => {
    const broker = loadAppConfig(resolvedEnvironment(services.broker)).mqtt;
    const ingest = loadAppConfig(resolvedEnvironment(services.ingest)).mqtt;
    assert.ok(broker.username && broker.password);
    assert.equal(ingest.username, broker.username);
    assert.equal(ingest.password, broker.password);
    assert.equal(environmentOf(services.ingest).MQTT_PASSWORD, environmentOf(services.broker).MQTT_PASSWORD, 'the same interpolation, so one variable changes both');
  });

  it('ingest reaches the broker and InfluxDB by service name, on their ports', () => {
    const ingest = loadAppConfig(resolvedEnvironment(services.ingest));
    const broker = loadAppConfig(resolvedEnvironment(services.broker));
    const mqtt = new URL(ingest.mqtt.url);
    assert.equal(mqtt.hostname, 'broker');
    assert.equal(Number(mqtt.port || 1883), broker.mqtt.port);
    const influx = new URL(ingest.influx.url ?? '');
    assert.equal(influx.hostname, 'influxdb');
    assert.equal(Number(influx.port), 8086);
    assert.equal(ingest.influx.api, 'v1', 'influxdb:1.8 speaks v1');
    assert.equal(ingest.influx.database, environmentOf(services.influxdb).INFLUXDB_DB);
  });

  it('the broker publishes exactly its MQTT_PORT and MQTT_WS_PORT', () => {
    const config = loadAppConfig(resolvedEnvironment(services.broker)).mqtt;
    const containerPorts = (services.broker.ports ?? []).map((p) => Number(String(p).split(':').at(-1)));
    assert.deepEqual(containerPorts.sort(), [config.port, config.wsPort].sort());
    for (const p of services.broker.ports ?? []) {
      const parts = String(p).split(':');
      assert.equal(parts.at(-2), parts.at(-1), `${p}: the host port is the contract's port too`);
    }
  });

  it('healthchecks ask the port the app serves /health on', () => {
    const broker = loadAppConfig(resolvedEnvironment(services.broker));
    const ingest = loadAppConfig(resolvedEnvironment(services.ingest));
    const rules = loadAppConfig(resolvedEnvironment(services.rules));
    assert.match(String(services.broker.healthcheck?.test), new RegExp(`127\\.0\\.0\\.1:${broker.mqtt.wsPort}/health`));
    // ingest serves /health on INGEST_PORT, rules on RULES_PORT, each bound to 127.0.0.1 inside its container
    assert.match(String(services.ingest.healthcheck?.test), new RegExp(`127\\.0\\.0\\.1:${ingest.ingest.port}/health`));
    assert.match(String(services.rules.healthcheck?.test), new RegExp(`127\\.0\\.0\\.1:${rules.rules.port}/health`));
  });

  it('DATA_DIR is a volume at /var/lib/greenwatch; COMMUNITY_CONFIG_DIR is mounted from ./config/communities', () => {
    for (const [name, s] of ourServices) {
      const env = resolvedEnvironment(s);
      assert.equal(env.DATA_DIR, '/var/lib/greenwatch', name);
      assert.ok(s.volumes?.some((v) => v.split(':')[1] === env.DATA_DIR && !v.startsWith('.') && !v.startsWith('/')), `${name}: DATA_DIR on a named volume`);
      if (env.COMMUNITY_CONFIG_DIR) assert.ok(s.volumes?.some((v) => v.startsWith('./config/communities:') && v.split(':')[1] === env.COMMUNITY_CONFIG_DIR), `${name}: communities mounted`);
    }
  });

  it('only the api may write the community files (PUT /api/communities/{id}); the others read them', () => {
    const mount = (name: string) => services[name]?.volumes?.find((v) => v.startsWith('./config/communities:'));
    for (const name of ['api', 'ingest', 'rules']) assert.ok(mount(name), `${name} mounts ./config/communities`);
    assert.deepEqual(['api', 'ingest', 'rules'].map((name) => [name, mount(name)!.split(':')[2] ?? 'rw']), [['api', 'rw'], ['ingest', 'ro'], ['rules', 'ro']]);
  });

  it('every volume referenced exists: named volumes are declared, bind-mount sources are in the repository', () => {
    const declared = Object.keys(compose.volumes ?? {});
    for (const [name, s] of Object.entries(services)) {
      for (const v of s.volumes ?? []) {
        const source = v.split(':')[0];
        if (source.startsWith('.') || source.startsWith('/')) {
          assert.ok(existsSync(join(ROOT, source)) && statSync(join(ROOT, source)).isDirectory(), `${name}: bind-mount source ${source} is a directory in the repository`);
        } else {
          assert.ok(declared.includes(source), `${name}: volume ${source} is declared under volumes:`);
        }
      }
    }
    const used = new Set(Object.values(services).flatMap((s) => (s.volumes ?? []).map((v) => v.split(':')[0])));
    for (const d of declared) assert.ok(used.has(d), `declared volume ${d} is used`);
  });

  it('depends_on names services that exist, and waits for them to be healthy', () => {
    for (const [name, s] of Object.entries(services)) {
      const deps = Array.isArray(s.depends_on) ? Object.fromEntries(s.depends_on.map((d) => [d, {}])) : (s.depends_on ?? {});
      for (const [dep, options] of Object.entries(deps)) {
        assert.ok(services[dep], `${name} depends on ${dep}, which is not a service`);
        assert.notEqual(dep, name);
        assert.equal((options as { condition?: string }).condition, 'service_healthy', `${name} -> ${dep}`);
      }
    }
    assert.deepEqual(Object.keys(services.ingest.depends_on ?? {}).sort(), ['broker', 'influxdb']);
  });

  it('each app command runs a compiled main.js whose source exists', () => {
    for (const [name, s] of ourServices) {
      const command = [...entrypoint, ...commandOf(s)];
      const main = command.find((part) => part.endsWith('.js'));
      assert.ok(main, `${name}: a .js file to run in ${JSON.stringify(command)}`);
      const [, app] = /^dist\/apps\/([a-z-]+)\/src\/main\.js$/.exec(main) ?? [];
      assert.ok(app, `${name}: ${main} is dist/apps/<app>/src/main.js`);
      assert.equal(compiled(`apps/${app}/src/main.ts`), main);
      assert.ok(existsSync(join(ROOT, 'apps', app, 'src', 'main.ts')), `${name}: apps/${app}/src/main.ts exists`);
      assert.equal(app, name, `service ${name} runs app ${app}`);
    }
  });

  it('runs every app of apps/ (broker, ingest, rules, api) from the one image', () => {
    const apps = readdirSync(join(ROOT, 'apps')).sort();
    const commands = ourServices.map(([, s]) => (Array.isArray(s.command) ? s.command.join(' ') : s.command ?? '')).sort();
    assert.deepEqual(commands, apps.map((app) => `dist/apps/${app}/src/main.js`).sort());
    for (const app of apps) assert.ok(existsSync(join(ROOT, 'apps', app, 'src', 'main.ts')), app);
  });
});

describe('Dockerfile', () => {
  it('is multi-stage: a build stage and a slim runtime', () => {
    assert.ok(stages.length >= 2);
    assert.match(stages[0].instructions[0].args, /^node:20/);
    assert.match(runtime.instructions[0].args, /^node:20[^ ]*-slim/);
  });

  it('the build stage installs with npm ci from the lock file and runs scripts that exist', () => {
    const build = stages[0];
    const runs = build.instructions.filter((i) => i.op === 'RUN').map((i) => i.args);
    assert.ok(runs.some((r) => /\bnpm ci\b/.test(r)));
    assert.ok(existsSync(join(ROOT, 'package-lock.json')));
    for (const r of runs) for (const [, script] of r.matchAll(/npm run ([\w:-]+)/g)) assert.ok(packageJson.scripts[script], `script ${script} exists in package.json`);
    assert.ok(runs.some((r) => /npm run build\b/.test(r)));
    assert.match(packageJson.scripts.build, /\btsc\b/);
  });

  it('copies into the build only files that exist', () => {
    for (const copy of stages[0].instructions.filter((i) => i.op === 'COPY')) {
      const parts = copy.args.split(/\s+/).filter((p) => !p.startsWith('--'));
      for (const source of parts.slice(0, -1)) assert.ok(existsSync(join(ROOT, source)), `COPY source ${source}`);
    }
  });

  it('the runtime takes dist/, production node_modules and package.json (its "imports" point into dist/)', () => {
    const copies = runtime.instructions.filter((i) => i.op === 'COPY').map((i) => i.args);
    for (const path of ['/app/dist', '/app/node_modules', '/app/package.json']) assert.ok(copies.some((c) => c.startsWith(`--from=${stages[0].name} ${path} `)), path);
    for (const [name, target] of Object.entries(packageJson.imports)) assert.match(target, /^\.\/dist\//, name);
    assert.equal(tsconfig.compilerOptions.outDir, 'dist');
    assert.equal(tsconfig.compilerOptions.rootDir, '.');
  });

  it('runs as an unprivileged user, node first in the entrypoint, a real app by default', () => {
    assert.equal(runtime.instructions.filter((i) => i.op === 'USER').at(-1)?.args, 'node');
    assert.equal(entrypoint[0], 'node');
    const main = defaultCmd.find((p) => p.endsWith('.js'));
    assert.ok(main && existsSync(join(ROOT, main.replace(/^dist\//, '').replace(/\.js$/, '.ts'))), String(main));
  });

  it('ENV sets only configuration variables (and NODE_ENV)', () => {
    for (const env of runtime.instructions.filter((i) => i.op === 'ENV')) {
      for (const [, name] of env.args.matchAll(/(?:^|\s)([A-Z_][A-Z0-9_]*)=/g)) assert.ok(name === 'NODE_ENV' || CONFIG_VARIABLES.includes(name), name);
    }
  });

  it('exposes the contract\'s default ports', () => {
    const exposed = runtime.instructions.filter((i) => i.op === 'EXPOSE').flatMap((i) => i.args.split(/\s+/).map(Number));
    const defaults = loadAppConfig({});
    for (const p of [defaults.mqtt.port, defaults.mqtt.wsPort, defaults.api.port]) assert.ok(exposed.includes(p), String(p));
  });
});

describe('.dockerignore', () => {
  const patterns = read('.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));

  it('keeps node_modules, dist, local state and .git out of the build context', () => {
    for (const p of ['node_modules', 'dist', 'var', '.git']) assert.ok(patterns.includes(p), p);
  });

  it('keeps in what the build needs', () => {
    for (const needed of ['package.json', 'package-lock.json', 'tsconfig.json', 'apps', 'libs']) {
      assert.ok(!patterns.some((p) => p === needed || p === `${needed}/` || p === `/${needed}`), `${needed} must not be ignored`);
    }
  });
});
