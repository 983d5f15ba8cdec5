import { type IClientOptions, type MqttClient, connectAsync } from 'mqtt';

/**
 * A QoS 1 subscriber that counts what it receives and remembers when the last message came;
 * `onMessage` sees each one (the alert latencies). The only file of the benchmark that imports
 * mqtt.js apart from the simulator's PublishingConnection.
 */
export class MqttCounter {
  count = 0;
  firstAt = 0;
  lastAt = 0;

  private constructor(private readonly client: MqttClient) {}

  static async open(options: { url: string; topic: string; clientId: string; clean: boolean; username?: string; password?: string; onMessage?: (topic: string, payload: Buffer, at: number) => void }): Promise<MqttCounter> {
    const mqttOptions: IClientOptions = { clientId: options.clientId, clean: options.clean, reconnectPeriod: 0, protocolVersion: 4 };
    if (options.username) mqttOptions.username = options.username;
    if (options.password) mqttOptions.password = options.password;
    const client = await connectAsync(options.url, mqttOptions);
    const counter = new MqttCounter(client);
    client.on('message', (topic, payload) => {
      const at = Date.now();
      if (counter.count === 0) counter.firstAt = at;
      counter.count++;
      counter.lastAt = at;
      options.onMessage?.(topic, payload, at);
    });
    await client.subscribeAsync(options.topic, { qos: 1 });
    return counter;
  }

  reset(): void {
    this.count = 0;
    this.firstAt = 0;
    this.lastAt = 0;
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}
