import { Controller, Get, Header } from '@nestjs/common';
import { Ctx, EventPattern, type MqttContext, Payload } from '@nestjs/microservices';
import { DEVICE_SUBSCRIPTIONS } from '#contracts';
import { IngestService } from './ingest.service.js';

/** MQTT: the three device channels, all into IngestService.accept. */
@Controller()
export class DeviceMessagesController {
  constructor(private readonly ingest: IngestService) {}

  @EventPattern<string>(DEVICE_SUBSCRIPTIONS.telemetry)
  telemetry(@Payload() payload: Buffer, @Ctx() context: MqttContext): void {
    this.ingest.accept(context.getTopic(), payload);
  }

  @EventPattern<string>(DEVICE_SUBSCRIPTIONS.event)
  event(@Payload() payload: Buffer, @Ctx() context: MqttContext): void {
    this.ingest.accept(context.getTopic(), payload);
  }

  @EventPattern<string>(DEVICE_SUBSCRIPTIONS.status)
  status(@Payload() payload: Buffer, @Ctx() context: MqttContext): void {
    this.ingest.accept(context.getTopic(), payload);
  }
}
