import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { type IPublishPacket, type MqttClient, connect } from 'mqtt';
import { APP_CONFIG, type AppConfig } from '#config';
import { AlertsService } from './alerts.service.js';

export const ALERT_SUBSCRIPTION = 'gc/+/alerts';

/**
 * The api's MQTT session: fixed client id (API_CLIENT_ID), clean session off, QoS 1 on
 * gc/+/alerts, so alerts published while the api is down wait in the broker. A message is
 * acknowledged only after it is committed to the registry: the handler runs inside mqtt.js's
 * handleMessage, whose callback sends the PUBACK. A redelivery is harmless (the lifecycle ignores
 * a message it has applied). Nothing else in the api imports mqtt.
 */
@Injectable()
export class AlertSubscriber implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('AlertSubscriber');
  private client: MqttClient | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly alerts: AlertsService,
  ) {}

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  async onApplicationBootstrap(): Promise<void> {
    const client = connect(this.config.mqtt.url, {
      clientId: this.config.api.clientId,
      clean: false,
      username: this.config.mqtt.username || undefined,
      password: this.config.mqtt.password || undefined,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
    });
    this.client = client;
    client.handleMessage = (packet: IPublishPacket, done) => {
      try {
        this.alerts.acceptRuleMessage(packet.topic, Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload));
        done();
      } catch (error) {
        // Not stored: no PUBACK, so the broker delivers it again when the session resumes.
        this.logger.error(`could not store an alert from ${packet.topic}: ${String(error)}`);
        done(error as Error);
      }
    };
    client.on('connect', () => {
      // A resumed session keeps its subscription; subscribing again is harmless and covers a new one.
      client.subscribe(ALERT_SUBSCRIPTION, { qos: 1 }, (error) => error && this.logger.error(`cannot subscribe to ${ALERT_SUBSCRIPTION}: ${error.message}`));
    });
    client.on('error', (error) => this.logger.warn(`MQTT: ${error.message}`));
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.logger.warn(`broker ${this.config.mqtt.url} not reachable yet; alerts will arrive once it is`);
        resolve();
      }, 5000);
      client.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Stops taking alerts before the registry closes (onApplicationShutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.client?.endAsync();
  }
}
