import { Controller, Get, Header, Res } from '@nestjs/common';
import { Public } from '../auth/api-key.guard.js';
import type { HttpResponse } from '../http/http-types.js';
import { HealthService } from './health.service.js';

@Controller()
@Public()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get('health')
  async get(@Res({ passthrough: true }) response: HttpResponse) {
    const body = await this.health.health();
    if (body.status !== 'ok') response.status(503);
    return body;
  }

  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4')
  metrics(): Promise<string> {
    return this.health.metricsText();
  }
}
