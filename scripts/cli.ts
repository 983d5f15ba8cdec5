import { join } from 'node:path';
import { ConfigError, loadAppConfig, loadDeviceRegistry } from '#config';
import { deviceTopic, isId } from '#contracts';
import { FileDeviceSecretStore } from '#storage';

/**
 * `npm run cli -- <command>`: administration from the shell.
 *   device secret <communityId> <deviceId>   issue a new secret for a configured device and
 *                                            print it once (the old one stops working)
 */
const USAGE = `usage: npm run cli -- <command>

commands:
  device secret <communityId> <deviceId>
      Issues a new MQTT secret for a device listed in the community's configuration
      (COMMUNITY_CONFIG_DIR) and prints it once. The device logs in with
      username = deviceId, password = the secret. Any earlier secret stops working.
      Secrets are stored hashed in DATA_DIR/device-secrets.json.
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
  process.stderr.write(`unknown command: ${argv.join(' ')}\n\n${USAGE}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof ConfigError ? error.message : error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
