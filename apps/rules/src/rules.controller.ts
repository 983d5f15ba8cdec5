import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, type MqttContext, Payload } from '@nestjs/microservices';
import { DEVICE_SUBSCRIPTIONS } from '#contracts';
import { RulesService } from './rules.service.js';

/** MQTT: the three device channels, all into RulesService.accept. */
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
}

function retained(context: MqttContext): boolean {
  return (context.getPacket() as { retain?: boolean } | undefined)?.retain === true;
}
