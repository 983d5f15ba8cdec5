import { MqttContext, ServerMqtt } from '@nestjs/microservices';
import type { MqttClient } from 'mqtt';
import type { AckGate } from './ack-gate.js';

/**
 * Nest's MQTT transport, fed raw payloads. Devices publish plain JSON, not Nest's
 * {pattern, data, id} envelope, so the stock deserializer must not see their bytes: it would
 * decode invalid UTF-8 silently, and treat any payload that happens to carry an `id` as a request
 * and publish a reply. Here every message is an event whose data is the payload Buffer, and the
 * ingest validates the bytes itself.
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
      return await this.handleEvent(channel, { pattern: channel, data: buffer }, context);
    } finally {
      if (originalPacket) this.ackGate?.finish(originalPacket);
    }
  }

  /**
   * Stops receiving before anything else shuts down. Nest's own close() calls end() without
   * waiting, so a message could still arrive, be acknowledged, and meet a closed writer.
   * Nest disposes microservices before it runs onApplicationShutdown, where the writer flushes.
   */
  override async close(): Promise<void> {
    const client = this.mqttClient;
    if (client && !client.disconnected) await client.endAsync();
  }

  /** The connected client, for publishing (rejected copies). */
  get client(): MqttClient {
    return this.unwrap<MqttClient>();
  }
}
