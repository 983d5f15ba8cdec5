import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { MetricsRegistry, withProcessMetrics } from '#observability';
import { type RegistryDatabase, RegistryModule } from '#registry';
import { StorageModule } from '#storage';
import { AlertEventBus } from './alerts/alert-events.js';
import { AlertSubscriber } from './alerts/alert-subscriber.js';
import { AlertsController } from './alerts/alerts.controller.js';
import { AlertsService } from './alerts/alerts.service.js';
import { ApiKeyGuard } from './auth/api-key.guard.js';
import { CriteriaController } from './criteria/criteria.controller.js';
import { CriteriaService } from './criteria/criteria.service.js';
import { DashboardController } from './dashboard/dashboard.controller.js';
import { DocsController } from './docs/docs.controller.js';
import { HealthController } from './health/health.controller.js';
import { HealthService } from './health/health.service.js';
import { ServiceProbe } from './health/service-probe.js';
import { ApiErrorFilter } from './http/error.filter.js';
import { HttpSender } from './notifications/http-sender.js';
import { NotifierService } from './notifications/notifier.service.js';
import { ReadingsController } from './readings/readings.controller.js';
import { ReadingsService } from './readings/readings.service.js';
import { BootImporter } from './registry/boot-importer.js';
import { RegistryController } from './registry/registry.controller.js';
import { RegistryService } from './registry/registry.service.js';
import { API_METRICS, CLOCK, type Clock, systemClock } from './tokens.js';

/** The api app: HTTP for property managers, the registry, alert consumption and notifications. */
@Module({})
export class ApiModule {
  static register(options: { database: RegistryDatabase; clock?: Clock }): DynamicModule {
    return {
      module: ApiModule,
      imports: [RegistryModule.forDatabase(options.database), StorageModule],
      controllers: [HealthController, DashboardController, DocsController, AlertsController, RegistryController, ReadingsController, CriteriaController],
      providers: [
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_FILTER, useClass: ApiErrorFilter },
        { provide: CLOCK, useValue: options.clock ?? systemClock },
        { provide: API_METRICS, useValue: withProcessMetrics(new MetricsRegistry({ service: 'api' }), 'api') },
        BootImporter,
        AlertEventBus,
        AlertsService,
        AlertSubscriber,
        NotifierService,
        HttpSender,
        RegistryService,
        ReadingsService,
        CriteriaService,
        HealthService,
        ServiceProbe,
      ],
    };
  }
}
