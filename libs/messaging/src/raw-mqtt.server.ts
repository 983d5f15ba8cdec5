import { Logger } from '@nestjs/common';
import { MqttContext, MqttStatus, ServerMqtt } from '@nestjs/microservices';
import type { MqttClient } from 'mqtt';
import { topicMatchesFilter } from '#contracts';
import { RateLimitedLog } from '#observability';
import type { AckGate } from './ack-gate.js';
import { endClient } from './end-client.js';

/**
 * Nest's MQTT transport, fed raw payloads. Devices publish plain JSON, not Nest's
 * {pattern, data, id} envelope, so the stock deserializer must not see their bytes: it would
 * decode invalid UTF-8 silently, and treat any payload that happens to carry an `id` as a request
 * and publish a reply. Here every message is an event whose data is the payload Buffer, and the
 * service validates the bytes itself.
 *
 * Handlers are found with an MQTT-conformant matcher: Nest's own does not let `+` match an empty
 * level ([MQTT-4.7.1-3]), so a message on gc/c/noise//telemetry found no handler and vanished
 * after being acknowledged, neither counted nor rejected.
 */
export class RawMqttServer extends ServerMqtt {
  /** When set, a message is acknowledged only after its handler has finished (see AckGate). */
  ackGate: AckGate | undefined;

  override async createMqttClient(): Promise<MqttClient> {
    const client = (await super.createMqttClient()) as MqttClient;
    if (this.ackGate) client.handleMessage = this.ackGate.handleMessage as MqttClient['handleMessage'];
    return client;
  }

  override async handleMessage(channel: string, buffer: Buffer, _pub: MqttClient, originalPacket?: Record<string, unknown>): Promise<unknown> {
    const context = new MqttContext([channel, originalPacket as never]);
    try {
      const handler = this.handlerFor(channel);
      if (!handler) {
        this.rawLogger.error(`no handler for a message on ${JSON.stringify(channel)}`);
        return undefined;
      }
      return await handler(buffer, context);
    } catch (error) {
      this.rawLogger.error(`handler failed on ${JSON.stringify(channel)}: ${(error as Error).stack ?? String(error)}`);
      return undefined;
    } finally {
      if (originalPacket) this.ackGate?.finish(originalPacket);
    }
  }

  private readonly rawLogger = new Logger('RawMqttServer');
  private readonly clientErrors = new RateLimitedLog((line) => this.rawLogger.error(line), { burst: 3, windowMs: 30_000 });

  /**
   * mqtt.js reconnects by itself (reconnectPeriod); Nest logged each failed attempt with its stack,
   * and "connection lost" at each retry, once a second per service while the broker is away. One
   * line each, a few per 30 s, then a count. (No maxConnectionAttempts: the services wait for
   * the broker however long it takes.)
   */
  override registerErrorListener(client: MqttClient): void {
    client.on('error', (error) => this.clientErrors.log(`MQTT: ${error.message} (reconnecting)`));
  }

  override registerReconnectListener(client: MqttClient): void {
    client.on('reconnect', () => {
      this._status$.next(MqttStatus.RECONNECTING);
      this.clientErrors.log('MQTT: connection lost, reconnecting');
    });
  }

  private handlerFor(topic: string) {
    for (const [filter, handler] of this.messageHandlers) if (topicMatchesFilter(topic, filter)) return handler;
    return undefined;
  }

  /**
   * Stops receiving before anything else shuts down. Nest's own close() calls end() without
   * waiting, so a message could still arrive, be acknowledged, and meet a closed writer.
   * Nest disposes microservices before it runs onApplicationShutdown, where the writer flushes.
   *
   * What this client published itself (an alert) gets up to `closeTimeoutMs` for its PUBACK: a
   * graceful end waits for it, but not forever (the broker may be gone); what is still
   * unacknowledged then is given up, and said so.
   */
  override async close(): Promise<void> {
    const client = this.mqttClient;
    if (!client || client.disconnected) return;
    this.ackGate?.withholdHeld();
    const givenUp = await endClient(client, this.closeTimeoutMs);
    if (givenUp > 0) this.rawLogger.warn(`closing with ${givenUp} published message(s) the broker has not acknowledged within ${this.closeTimeoutMs} ms: given up`);
  }

  /** How long close() waits for the broker to acknowledge what this client published. */
  closeTimeoutMs = 5_000;

  /** For /health: the MQTT session's state. */
  get connectionState(): 'starting' | 'connected' | 'reconnecting' {
    if (!this.mqttClient) return 'starting';
    return this.client.connected ? 'connected' : 'reconnecting';
  }

  /** The connected client, for publishing (rejected copies). */
  get client(): MqttClient {
    return this.unwrap<MqttClient>();
  }
}
