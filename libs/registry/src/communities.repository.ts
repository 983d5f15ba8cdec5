import { Injectable } from '@nestjs/common';
import type { CommunityConfig, DeviceConfig } from '#contracts';
import { RegistryDatabase } from './database.js';

export interface CommunitySummary {
  id: string;
  name: string;
  timezone: string;
  compounds: { id: string; name: string; propertyManaged?: boolean; parkingSpaces?: number }[];
  devices: number;
  source?: string;
  updatedAt: number;
  updatedBy: string;
}

export interface DeviceRecord extends DeviceConfig {
  communityId: string;
}

/** Where a community document came from, for the "file wins only when the file changed" rule. */
export interface CommunitySource {
  path: string;
  sha256: string;
}

/** Communities, compounds and devices. A server database can implement the same interface. */
export abstract class CommunityRepository {
  /**
   * Imports a document read from COMMUNITY_CONFIG_DIR. An edit made through the API survives a
   * restart while the file is unchanged; once the file changes, the file wins.
   * Returns whether the stored document was replaced.
   */
  abstract importFromFile(config: CommunityConfig, source: CommunitySource, now: number): boolean;
  /** Replaces a community's document (API edit); `source`: the file it was written to (else the file it came from stays). */
  abstract save(config: CommunityConfig, by: string, now: number, source?: CommunitySource): void;
  /** The file a community was last imported from or written to, if any. */
  abstract sourcePath(id: string): string | undefined;
  abstract get(id: string): CommunityConfig | undefined;
  abstract list(): CommunitySummary[];
  abstract devices(filter: { communities?: string[] }): DeviceRecord[];
  /** Every device with this id, in any community (ids are unique per community only). */
  abstract devicesById(deviceId: string): DeviceRecord[];
}

@Injectable()
export class SqliteCommunityRepository extends CommunityRepository {
  constructor(private readonly database: RegistryDatabase) {
    super();
  }

  private get db() {
    return this.database.db;
  }

  importFromFile(config: CommunityConfig, source: CommunitySource, now: number): boolean {
    const row = this.db.prepare('SELECT source, source_hash FROM communities WHERE id = ?').get(config.id) as { source: string | null; source_hash: string | null } | undefined;
    if (row && row.source_hash === source.sha256) {
      // the same text under another name (the file was renamed): remember where it is now
      if (row.source !== source.path) this.db.prepare('UPDATE communities SET source = ? WHERE id = ?').run(source.path, config.id);
      return false;
    }
    this.write(config, { by: `file ${source.path}`, now, source });
    return true;
  }

  save(config: CommunityConfig, by: string, now: number, source?: CommunitySource): void {
    const row = this.db.prepare('SELECT source, source_hash FROM communities WHERE id = ?').get(config.id) as { source: string | null; source_hash: string | null } | undefined;
    this.write(config, { by, now, source: source ?? (row?.source && row.source_hash ? { path: row.source, sha256: row.source_hash } : undefined) });
  }

  sourcePath(id: string): string | undefined {
    const row = this.db.prepare('SELECT source FROM communities WHERE id = ?').get(id) as { source: string | null } | undefined;
    return row?.source ?? undefined;
  }

  get(id: string): CommunityConfig | undefined {
    const row = this.db.prepare('SELECT config FROM communities WHERE id = ?').get(id) as { config: string } | undefined;
    return row && (JSON.parse(row.config) as CommunityConfig);
  }

  list(): CommunitySummary[] {
    const rows = this.db.prepare('SELECT id, name, timezone, source, updated_at, updated_by, (SELECT count(*) FROM devices d WHERE d.community_id = c.id) AS devices FROM communities c ORDER BY id').all() as {
      id: string;
      name: string;
      timezone: string;
      source: string | null;
      updated_at: number;
      updated_by: string;
      devices: number;
    }[];
    const compounds = this.db.prepare('SELECT id, name, property_managed, parking_spaces FROM compounds WHERE community_id = ? ORDER BY id');
    return rows.map((r) => {
      const summary: CommunitySummary = {
        id: r.id,
        name: r.name,
        timezone: r.timezone,
        compounds: (compounds.all(r.id) as { id: string; name: string; property_managed: number | null; parking_spaces: number | null }[]).map((c) => ({
          id: c.id,
          name: c.name,
          ...(c.property_managed === null ? {} : { propertyManaged: c.property_managed === 1 }),
          ...(c.parking_spaces === null ? {} : { parkingSpaces: c.parking_spaces }),
        })),
        devices: r.devices,
        updatedAt: r.updated_at,
        updatedBy: r.updated_by,
      };
      if (r.source) summary.source = r.source;
      return summary;
    });
  }

  devices(filter: { communities?: string[] }): DeviceRecord[] {
    const rows = this.db.prepare('SELECT community_id, config FROM devices ORDER BY community_id, id').all() as { community_id: string; config: string }[];
    const wanted = filter.communities && new Set(filter.communities);
    return rows.filter((r) => !wanted || wanted.has(r.community_id)).map((r) => ({ ...(JSON.parse(r.config) as DeviceConfig), communityId: r.community_id }));
  }

  devicesById(deviceId: string): DeviceRecord[] {
    const rows = this.db.prepare('SELECT community_id, config FROM devices WHERE id = ? ORDER BY community_id').all(deviceId) as { community_id: string; config: string }[];
    return rows.map((r) => ({ ...(JSON.parse(r.config) as DeviceConfig), communityId: r.community_id }));
  }

  private write(config: CommunityConfig, meta: { by: string; now: number; source: CommunitySource | undefined }): void {
    this.database.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO communities (id, name, timezone, config, source, source_hash, updated_at, updated_by) VALUES (@id, @name, @timezone, @config, @source, @hash, @now, @by)
           ON CONFLICT (id) DO UPDATE SET name = excluded.name, timezone = excluded.timezone, config = excluded.config, source = excluded.source, source_hash = excluded.source_hash, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
        )
        .run({ id: config.id, name: config.name, timezone: config.timezone, config: JSON.stringify(config), source: meta.source?.path ?? null, hash: meta.source?.sha256 ?? null, now: meta.now, by: meta.by });
      this.db.prepare('DELETE FROM compounds WHERE community_id = ?').run(config.id);
      this.db.prepare('DELETE FROM devices WHERE community_id = ?').run(config.id);
      const compound = this.db.prepare('INSERT INTO compounds (community_id, id, name, property_managed, parking_spaces) VALUES (?, ?, ?, ?, ?)');
      for (const c of config.compounds) compound.run(config.id, c.id, c.name, c.propertyManaged === undefined ? null : Number(c.propertyManaged), c.parkingSpaces ?? null);
      const device = this.db.prepare('INSERT INTO devices (community_id, id, type, compound_id, config) VALUES (?, ?, ?, ?, ?)');
      for (const d of config.devices) device.run(config.id, d.id, d.type, d.compound, JSON.stringify(d));
    });
  }
}
