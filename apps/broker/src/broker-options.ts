import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppConfig } from '#config';
import type { DeviceCredentialStore } from '#storage';
import type { MqttBrokerOptions } from './mqtt-broker.js';

/** The embedded broker's options from the validated configuration (reads the TLS files). */
export async function brokerOptionsFrom(config: AppConfig, credentials: DeviceCredentialStore, extra: Partial<MqttBrokerOptions> = {}): Promise<MqttBrokerOptions> {
  const mqtt = config.mqtt;
  const tls = mqtt.tls ? { port: mqtt.tls.port, wsPort: mqtt.tls.wsPort, cert: await readFile(mqtt.tls.certFile), key: await readFile(mqtt.tls.keyFile) } : undefined;
  return {
    port: mqtt.port,
    bind: mqtt.bind,
    allowAnonymous: mqtt.allowAnonymous,
    service: { username: mqtt.username, password: mqtt.password },
    credentials,
    persistenceDir: join(config.dataDir, 'broker'),
    persistenceFsync: mqtt.persistenceFsync,
    queueBudgetBytes: mqtt.queueBudgetBytes,
    maxPacketBytes: mqtt.maxPacketBytes,
    deviceMessagesPerSecond: mqtt.deviceMessagesPerSecond,
    connectsPerSecond: mqtt.connectsPerSecond,
    tls,
    ...extra,
  };
}
