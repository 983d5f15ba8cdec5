import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { type IPublishPacket, type MqttClient, connect } from 'mqtt';
import type { Subscription } from 'rxjs';
import { APP_CONFIG, type AppConfig } from '#config';
import { endClient } from '#messaging';
import { type AlertAck, RULES_CLEARED_BY_ACKNOWLEDGEMENT, alertAcksTopic } from '#contracts';
import { AlertRepository, type AlertView, RULE_ACTOR } from '#registry';
import { AlertEventBus } from './alert-events.js';
import { AlertsService } from './alerts.service.js';

export const ALERT_SUBSCRIPTION = 'gc/+/alerts';

/**
 * The api's MQTT session: fixed client id (API_CLIENT_ID), clean session off, QoS 1 on
 * gc/+/alerts, so alerts published while the api is down wait in the broker. A message is
 * acknowledged only after it is committed to the registry: the handler runs inside mqtt.js's
 * handleMessage, whose callback sends the PUBACK. A redelivery is harmless (the lifecycle ignores
 * a message it has applied). Nothing else in the api imports mqtt.
 *
 * The other way: when a person acknowledges or resolves an alert whose rule clears only so
 * (security.gate_forced), an AlertAck goes to the rules on gc/{c}/alerts/acks (QoS 1), so that the
 * gate's next forced opening raises a new alert. At every connect the acks of such alerts that a
 * person handled but the rule has not cleared yet are sent again (one lost with an api crash is
 * not lost for good; the rules ignore an ack they have applied).
 */
@Injectable()
export class AlertSubscriber implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('AlertSubscriber');
  private client: MqttClient | undefined;
  private handled: Subscription | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly alerts: AlertsService,
    private readonly repository: AlertRepository,
    private readonly bus: AlertEventBus,
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
      for (const alert of this.handledButRaised()) this.sendAck(alert, alert.resolved && !alert.resolved.automatic ? 'resolved' : 'acknowledged', alert.resolved?.by ?? alert.acknowledged?.by ?? '', alert.resolved?.at ?? alert.acknowledged?.at ?? alert.updatedAt);
    });
    this.handled = this.bus.events.subscribe((e) => {
      if ((e.action === 'acknowledged' || e.action === 'resolved') && e.by !== RULE_ACTOR && e.alert.ruleState === 'raised' && RULES_CLEARED_BY_ACKNOWLEDGEMENT.has(e.alert.rule)) this.sendAck(e.alert, e.action, e.by, e.at);
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

  /** Stops taking alerts before the registry closes (onApplicationShutdown); an acknowledgement the broker has not taken within 5 s is sent again at the next start. */
  async beforeApplicationShutdown(): Promise<void> {
    this.handled?.unsubscribe();
    if (!this.client) return;
    const givenUp = await endClient(this.client, 5_000);
    if (givenUp > 0) this.logger.warn(`${givenUp} acknowledgement(s) for the rules not taken by the broker: sent again at the next start`);
  }

  /** Alerts of rules that clear by acknowledgement, handled by a person, still raised by their rule. */
  private handledButRaised(): AlertView[] {
    const rules = [...RULES_CLEARED_BY_ACKNOWLEDGEMENT];
    return rules.flatMap((rule) => (['acknowledged', 'resolved'] as const).flatMap((state) => this.repository.list({ rule, state, limit: 10_000 }))).filter((a) => a.ruleState === 'raised');
  }

  /** QoS 1: mqtt.js keeps it until the broker has it (and sends it after a reconnect). */
  private sendAck(alert: AlertView, action: AlertAck['action'], by: string, at: number): void {
    const ack: AlertAck = { alertId: alert.alertId, rule: alert.rule, action, by, at };
    this.client?.publish(alertAcksTopic(alert.communityId), JSON.stringify(ack), { qos: 1 }, (error) => error && this.logger.warn(`could not send the acknowledgement of ${alert.alertId} to the rules: ${error.message}`));
  }
}
