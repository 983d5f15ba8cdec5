import { Controller, Get, Header, Inject, Injectable, Logger, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { join } from 'node:path';
import { APP_CONFIG, type AppConfig } from '#config';
import { FileDeviceSecretStore } from '#storage';
import { brokerOptionsFrom } from './broker-options.js';
import { MqttBroker } from './mqtt-broker.js';

/** Hosts the embedded broker for the Nest app: TCP on MQTT_PORT, WebSocket on the HTTP port. */
@Injectable()
export class BrokerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Broker');
  private broker: MqttBroker | undefined;
  private readonly startedAt = Date.now();
  tcpPort = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly http: HttpAdapterHost,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const mqtt = this.config.mqtt;
    if (!mqtt.allowAnonymous && !mqtt.password) this.logger.warn('MQTT_PASSWORD is empty: services cannot log in (npm start generates one)');
    const credentials = new FileDeviceSecretStore(join(this.config.dataDir, 'device-secrets.json'));
    this.broker = await MqttBroker.create(await brokerOptionsFrom(this.config, credentials, { log: (level, line) => this.logger[level](line) }));
    this.tcpPort = await this.broker.listen();
    this.broker.attachWebSocket(this.http.httpAdapter.getHttpServer());
    const tls = this.broker.tlsPorts;
    this.logger.log(
      `MQTT on ${mqtt.bind}:${this.tcpPort} (TCP) and :${mqtt.wsPort} (WebSocket)${tls ? `, :${tls.mqtts} (MQTTS) and :${tls.wss} (WSS)` : ''}; anonymous ${mqtt.allowAnonymous ? 'allowed' : 'refused'}`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.broker?.close();
  }

  health() {
    return { status: this.broker ? 'ok' : 'starting', service: 'broker', clients: this.broker?.aedes.connectedClients ?? 0, uptimeS: Math.round((Date.now() - this.startedAt) / 1000) };
  }

  metrics(): string {
    return this.broker?.metricsRegistry.render() ?? '';
  }
}

@Controller()
export class BrokerHealthController {
  constructor(private readonly broker: BrokerService) {}

  @Get('health')
  health() {
    return this.broker.health();
  }

  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4')
  metrics() {
    return this.broker.metrics();
  }
}

@Module({ controllers: [BrokerHealthController], providers: [BrokerService] })
export class BrokerModule {}
