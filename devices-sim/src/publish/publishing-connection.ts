import { type IClientOptions, type MqttClient, connectAsync } from 'mqtt';

/**
 * One MQTT connection with a bounded window of unacknowledged publishes: QoS 1 flow control
 * (a PUBACK frees a slot, [MQTT-4.3.2]); at QoS 0 a slot is freed when the packet is written, so
 * a slow socket still holds the publisher back instead of filling memory. The only file that
 * imports mqtt.js.
 */
export interface ConnectionOptions {
  url: string;
  clientId: string;
  username?: string;
  password?: string;
  /** The device's last will (contract: status topic, retained, {"online":false}). */
  will?: { topic: string; payload: string };
  qos: 0 | 1;
  /** Unacknowledged publishes allowed at once. */
  window: number;
  connectTimeoutMs?: number;
  /** Keep the acknowledgement latency of each publish (the first million), for load reports. */
  recordLatency?: boolean;
}

export interface ConnectionStats {
  sent: number;
  acknowledged: number;
  errors: number;
  lastError?: string;
}

export class PublishingConnection {
  readonly stats: ConnectionStats = { sent: 0, acknowledged: 0, errors: 0 };
  /** Milliseconds from publish to acknowledgement, when recordLatency is on. */
  readonly latencies: number[] = [];
  private inFlight = 0;
  private waiters: (() => void)[] = [];
  /** Virtual times of the publishes not yet acknowledged, oldest first (those published with one). */
  private readonly pendingTs: { ts: number; done: boolean }[] = [];

  private constructor(
    private readonly client: MqttClient,
    private readonly options: ConnectionOptions,
  ) {
    client.on('error', (error) => this.fail(error));
  }

  static async open(options: ConnectionOptions): Promise<PublishingConnection> {
    const mqttOptions: IClientOptions = {
      clientId: options.clientId,
      clean: true,
      reconnectPeriod: 0, // the simulator decides when a device reconnects
      connectTimeout: options.connectTimeoutMs ?? 10_000,
      keepalive: 60,
      protocolVersion: 4,
    };
    if (options.username !== undefined) mqttOptions.username = options.username;
    if (options.password !== undefined) mqttOptions.password = options.password;
    if (options.will) mqttOptions.will = { topic: options.will.topic, payload: Buffer.from(options.will.payload), qos: 1, retain: true };
    try {
      return new PublishingConnection(await connectAsync(options.url, mqttOptions), options);
    } catch (error) {
      throw new Error(`${options.clientId} could not connect to ${options.url}${options.username ? ` as ${options.username}` : ''}: ${(error as Error).message}`);
    }
  }

  get hasRoom(): boolean {
    return this.inFlight < this.options.window;
  }

  get pending(): number {
    return this.inFlight;
  }

  /** Virtual time of the oldest publish not yet acknowledged, or Infinity when none is pending. */
  get oldestPendingTs(): number {
    const q = this.pendingTs;
    while (q.length && q[0].done) q.shift();
    return q.length ? q[0].ts : Infinity;
  }

  /** Resolves at the next acknowledgement (or failure) of any publish, at once when none is pending. */
  nextAck(): Promise<void> {
    return this.inFlight === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Resolves when a slot is free. */
  room(): Promise<void> {
    return this.hasRoom ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }

  /**
   * Publishes at once; the caller checks `hasRoom` (or awaits `room()`) first. `virtualTs`, when
   * given, is kept until the publish is acknowledged (see `oldestPendingTs`).
   */
  publish(topic: string, payload: string | Buffer, retain = false, qos: 0 | 1 = this.options.qos, virtualTs?: number): void {
    this.inFlight++;
    this.stats.sent++;
    const t0 = this.options.recordLatency && this.latencies.length < 1_000_000 ? performance.now() : -1;
    const pending = virtualTs === undefined ? undefined : { ts: virtualTs, done: false };
    if (pending) this.pendingTs.push(pending);
    this.client.publish(topic, payload, { qos, retain }, (error) => {
      this.inFlight--;
      if (pending) pending.done = true;
      if (t0 >= 0) this.latencies.push(performance.now() - t0);
      if (error) this.fail(error);
      else this.stats.acknowledged++;
      this.wake();
    });
  }

  /** Resolves when everything sent has been acknowledged (or failed). */
  async drain(): Promise<void> {
    while (this.inFlight > 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** A clean DISCONNECT after draining: the broker discards the will. */
  async close(): Promise<void> {
    await this.drain();
    await this.client.endAsync();
  }

  /** The network is lost: the socket is destroyed without DISCONNECT, so the broker publishes the will [MQTT-3.1.2-8]. */
  async kill(): Promise<void> {
    await this.client.endAsync(true);
  }

  private fail(error: Error): void {
    this.stats.errors++;
    this.stats.lastError = error.message;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
