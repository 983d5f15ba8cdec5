import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, type MqttContext, Payload } from '@nestjs/microservices';
import { ALERT_ACKS_SUBSCRIPTION, DEVICE_SUBSCRIPTIONS } from '#contracts';
import { RESUME_BARRIER_PATTERN } from './resume-barrier.js';
import { RulesService } from './rules.service.js';

/** MQTT: the three device channels, all into RulesService.accept; the api's acknowledgements; and the resume barrier. */
@Controller()
export class RulesMessagesController {
  constructor(private readonly rules: RulesService) {}

  @EventPattern<string>(DEVICE_SUBSCRIPTIONS.telemetry)
  telemetry(@Payload() payload: Buffer, @Ctx() context: MqttContext): void {
    this.rules.accept(context.getTopic(), payload, retained(context));
  }

  @EventPattern<string>(DEVICE_SUBSCRIPTIONS.event)
  event(@Payload() payload: Buffer, @Ctx() context: MqttContext): void {
    this.rules.accept(context.getTopic(), payload, retained(context));
  }

  @EventPattern<string>(DEVICE_SUBSCRIPTIONS.status)
  status(@Payload() payload: Buffer, @Ctx() context: MqttContext): void {
    this.rules.accept(context.getTopic(), payload, retained(context));
  }

  @EventPattern<string>(ALERT_ACKS_SUBSCRIPTION)
  acknowledged(@Payload() payload: Buffer, @Ctx() context: MqttContext): void {
    this.rules.acknowledged(context.getTopic(), payload);
  }

  @EventPattern<string>(RESUME_BARRIER_PATTERN)
  resume(@Payload() payload: Buffer, @Ctx() context: MqttContext): void {
    this.rules.resume(context.getTopic(), payload);
  }
}

function retained(context: MqttContext): boolean {
  return (context.getPacket() as { retain?: boolean } | undefined)?.retain === true;
}
