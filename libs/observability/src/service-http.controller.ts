import { Get, Header, Res } from '@nestjs/common';
import { type HealthReport, healthHttpStatus } from './health.js';
import type { MetricsRegistry } from './metrics.js';

/**
 * /health and /metrics of a service process (the ingest on INGEST_PORT, the rules on RULES_PORT).
 * A subclass (a Nest @Controller) gives its registry and says what its health report holds;
 * /health answers 200 when ok and 503 when degraded (healthHttpStatus), the same body either way.
 */
export abstract class ServiceHttpController {
  protected abstract readonly metrics: MetricsRegistry;

  protected abstract report(): HealthReport<object>;

  @Get('health')
  health(@Res({ passthrough: true }) response: { status(code: number): unknown }) {
    const report = this.report();
    response.status(healthHttpStatus(report));
    return report;
  }

  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4')
  render(): string {
    return this.metrics.render();
  }
}
