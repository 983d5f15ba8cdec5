import { type DynamicModule, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { AlertRepository, SqliteAlertRepository } from './alerts.repository.js';
import { ApiKeyRepository, SqliteApiKeyRepository } from './api-keys.repository.js';
import { AttestationRepository, SqliteAttestationRepository } from './attestations.repository.js';
import { CommunityRepository, SqliteCommunityRepository } from './communities.repository.js';
import { RegistryDatabase } from './database.js';
import { NotificationRepository, SqliteNotificationRepository } from './notifications.repository.js';

@Injectable()
class RegistryLifecycle implements OnApplicationShutdown {
  constructor(@Inject(RegistryDatabase) private readonly database: RegistryDatabase) {}

  onApplicationShutdown(): void {
    this.database.close();
  }
}

/**
 * The registry's repositories, bound to their SQLite implementations. Services inject the
 * abstract classes (the interfaces), so a server database can replace SQLite here alone.
 */
@Module({})
export class RegistryModule {
  static forDatabase(database: RegistryDatabase): DynamicModule {
    const sqlite = <T>(provide: abstract new (...args: never[]) => T, make: (db: RegistryDatabase) => T) => ({ provide, useFactory: () => make(database) });
    const providers = [
      { provide: RegistryDatabase, useValue: database },
      sqlite(CommunityRepository, (db) => new SqliteCommunityRepository(db)),
      sqlite(ApiKeyRepository, (db) => new SqliteApiKeyRepository(db)),
      sqlite(AlertRepository, (db) => new SqliteAlertRepository(db)),
      sqlite(NotificationRepository, (db) => new SqliteNotificationRepository(db)),
      sqlite(AttestationRepository, (db) => new SqliteAttestationRepository(db)),
    ];
    return {
      module: RegistryModule,
      global: true,
      providers: [...providers, RegistryLifecycle],
      exports: providers.map((p) => p.provide),
    };
  }
}
