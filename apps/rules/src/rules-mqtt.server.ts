import type { MqttClient } from 'mqtt';
import { RawMqttServer } from '#messaging';
import { type ResumeBarrier, publishResumeBarrier } from './resume-barrier.js';

/**
 * The rules service's MQTT transport: ingest's raw-payload server, plus the resume barrier
 * published just before the persistent session connects (so that as little as possible is queued
 * behind it), and the session's CONNACK `sessionPresent` reported to whoever listens: without a
 * resumed session there is no backlog to wait for.
 */
export class RulesMqttServer extends RawMqttServer {
  /** Told once, at the first CONNACK. */
  onSession: ((sessionPresent: boolean) => void) | undefined;
  /** Told when the barrier could not be published (the catch-up then ends by its timeout). */
  onBarrierError: ((error: Error) => void) | undefined;

  constructor(
    options: ConstructorParameters<typeof RawMqttServer>[0],
    private readonly barrier: ResumeBarrier,
    private readonly broker: { url: string; username?: string; password?: string },
  ) {
    super(options);
  }

  override async createMqttClient(): Promise<MqttClient> {
    await publishResumeBarrier(this.barrier, this.broker).catch((error: unknown) => this.onBarrierError?.(error as Error));
    const client = await super.createMqttClient();
    client.once('connect', (connack) => this.onSession?.(connack.sessionPresent === true));
    return client;
  }
}
