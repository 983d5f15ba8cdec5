import { join } from 'node:path';
import { ConfigError, loadAppConfig, loadDeviceRegistry } from '#config';
import { deviceTopic, isId } from '#contracts';
import { API_ROLES, type ApiRole, RegistryDatabase, SqliteApiKeyRepository } from '#registry';
import { FileDeviceSecretStore } from '#storage';

/**
 * `npm run cli -- <command>`: administration from the shell.
 *   device secret <communityId> <deviceId>   issue a new secret for a configured device and
 *                                            print it once (the old one stops working)
 *   key create --role <role> [--community <id>]... [--label <text>]
 *                                            create an API key and print it once
 */
const USAGE = `usage: npm run cli -- <command>

commands:
  device secret <communityId> <deviceId>
      Issues a new MQTT secret for a device listed in the community's configuration
      (COMMUNITY_CONFIG_DIR) and prints it once. The device logs in with
      username = deviceId, password = the secret. Any earlier secret stops working.
      Secrets are stored hashed in DATA_DIR/device-secrets.json.
  key create --role manager|inspector|admin [--community <id>]... [--label <text>]
      Creates an API key for the HTTP API and prints it once. A manager key reads and acts on
      the communities named (at least one); an inspector key reads every community and changes
      nothing; an admin key does everything. Keys are stored hashed in DATA_DIR/greenwatch.sqlite;
      use one as "Authorization: Bearer <key>".
  help
      This text.
`;

async function main(argv: string[]): Promise<number> {
  const [group, command, ...rest] = argv;
  if (!group || group === 'help' || group === '--help' || group === '-h') {
    process.stdout.write(USAGE);
    return group ? 0 : 2;
  }
  const config = loadAppConfig();
  if (group === 'device' && command === 'secret') {
    const [communityId, deviceId] = rest;
    if (!isId(communityId) || !isId(deviceId)) {
      process.stderr.write(`device secret: expected <communityId> <deviceId> (ids match ^[a-z0-9][a-z0-9_-]{0,63}$), got ${JSON.stringify(rest)}\n`);
      return 2;
    }
    const registry = await loadDeviceRegistry(config.communityConfigDir);
    const device = registry.device(communityId, deviceId);
    if (!device) {
      const known = registry.community(communityId) ? `community ${communityId} has no device ${deviceId}` : `no community ${communityId}`;
      process.stderr.write(`device secret: ${known} in ${config.communityConfigDir}. Add the device to the community's YAML first.\n`);
      return 1;
    }
    const store = new FileDeviceSecretStore(join(config.dataDir, 'device-secrets.json'));
    const address = { communityId, deviceType: device.type, deviceId };
    const secret = await store.issue(address);
    process.stdout.write(
      `${secret}\n` +
        `\n# shown once; the device logs in with username ${deviceId} and this secret, e.g.\n` +
        `# mosquitto_pub -h <broker> -p ${config.mqtt.port} -q 1 -u ${deviceId} -P '${secret}' -t ${deviceTopic(address, 'telemetry')} -m '{"ts":…}'\n`,
    );
    return 0;
  }
  if (group === 'key' && command === 'create') return createKey(rest, config.dataDir);
  process.stderr.write(`unknown command: ${argv.join(' ')}\n\n${USAGE}`);
  return 2;
}

function createKey(args: string[], dataDir: string): number {
  let role: ApiRole | undefined;
  let label = 'cli';
  const communities: string[] = [];
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    if (value === undefined) return usageError(`key create: ${flag} needs a value`);
    if (flag === '--role') {
      if (!(API_ROLES as readonly string[]).includes(value)) return usageError(`key create: --role expected ${API_ROLES.join(', ')}, got ${JSON.stringify(value)}`);
      role = value as ApiRole;
    } else if (flag === '--community') {
      if (!isId(value)) return usageError(`key create: --community expected an id (^[a-z0-9][a-z0-9_-]{0,63}$), got ${JSON.stringify(value)}`);
      communities.push(value);
    } else if (flag === '--label') {
      if (!value.trim() || value.length > 100) return usageError('key create: --label expected 1–100 characters');
      label = value.trim();
    } else return usageError(`key create: unknown option ${JSON.stringify(flag)}`);
  }
  if (!role) return usageError('key create: --role is required');
  if (role === 'manager' && communities.length === 0) return usageError('key create: a manager key needs at least one --community');
  if (role !== 'manager' && communities.length) return usageError(`key create: an ${role} key covers every community; leave out --community`);
  const database = RegistryDatabase.inDataDir(dataDir);
  try {
    const { key, record } = new SqliteApiKeyRepository(database).create({ role, communities, label });
    process.stdout.write(`${key}\n\n# shown once; key id ${record.id}, role ${role}${communities.length ? `, communities ${communities.join(', ')}` : ''}. Use it as: Authorization: Bearer <key>\n`);
    return 0;
  } finally {
    database.close();
  }
}

function usageError(message: string): number {
  process.stderr.write(`${message}\n`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof ConfigError ? error.message : error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
