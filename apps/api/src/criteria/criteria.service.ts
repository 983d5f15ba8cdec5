import { Inject, Injectable, Logger } from '@nestjs/common';
import { AlertRepository, AttestationRepository, CommunityRepository } from '#registry';
import { InfluxStore, influxString } from '#storage';
import { type Principal, assertRead } from '../auth/access.js';
import { ApiError, badParameter, notFound } from '../http/api-error.js';
import { CLOCK, type Clock } from '../tokens.js';
import { criteriaStatus } from './criteria-status.js';
import { type GateAvailability, securityEvidence, securityEvidenceCsv, securityEvidenceHtml } from './security-evidence.js';

const DAY = 86_400_000;

@Injectable()
export class CriteriaService {
  private readonly logger = new Logger('Criteria');

  constructor(
    private readonly communities: CommunityRepository,
    private readonly alerts: AlertRepository,
    private readonly attestations: AttestationRepository,
    private readonly influx: InfluxStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  criteria(caller: Principal, q: { community: string; from?: number; to?: number }) {
    const { config, from, to } = this.period(caller, q, 30);
    const alerts = this.alerts.list({ community: q.community, from, to, limit: 100_000 });
    return { community: q.community, from, to, criteria: criteriaStatus(config, alerts, this.attestations.list({ community: q.community })) };
  }

  async evidence(caller: Principal, criterion: string, q: { community: string; from?: number; to?: number; format?: 'json' | 'csv' | 'html' }): Promise<{ contentType: string; body: unknown }> {
    const { config, from, to } = this.period(caller, q, 30);
    if (criterion !== '12') throw new ApiError('not_implemented', `evidence for criterion ${criterion} is not implemented yet (criterion 12 is); see /api/criteria for its status`);
    if (to - from > 400 * DAY) throw badParameter('from', 'from: expected a period of at most 400 days');
    const gates = config.devices.filter((d) => d.type === 'access_gate');
    const hoursWithData = await this.hoursWithData(q.community, from, to);
    const hours = Math.ceil((to - from) / 3_600_000);
    const availability: GateAvailability[] = gates.map((g) => ({ deviceId: g.id, compoundId: g.compound, hours, hoursWithData: Math.min(hours, hoursWithData.get(g.id) ?? 0) }));
    const report = securityEvidence({ community: q.community, from, to, gates: availability, alerts: this.alerts.list({ community: q.community, criterion: '12', from, to, limit: 100_000 }) });
    if (q.format === 'csv') return { contentType: 'text/csv; charset=utf-8', body: securityEvidenceCsv(report) };
    if (q.format === 'html') return { contentType: 'text/html; charset=utf-8', body: securityEvidenceHtml(report) };
    return { contentType: 'application/json; charset=utf-8', body: report };
  }

  private period(caller: Principal, q: { community: string; from?: number; to?: number }, defaultDays: number) {
    assertRead(caller, q.community);
    const config = this.communities.get(q.community);
    if (!config) throw notFound(`no community ${q.community}`);
    const to = q.to ?? this.clock.now();
    const from = q.from ?? to - defaultDays * DAY;
    if (from >= to) throw badParameter('from', 'from: expected from before to');
    return { config, from, to };
  }

  private async hoursWithData(community: string, from: number, to: number): Promise<Map<string, number>> {
    const influxql = `SELECT count("doorClosed") AS "n" FROM "access_gate" WHERE "community" = ${influxString(community)} AND time >= ${Math.floor(from)}ms AND time < ${Math.floor(to)}ms GROUP BY time(1h), "device" fill(0)`;
    try {
      const out = new Map<string, number>();
      for (const s of await this.influx.connection.query(influxql)) {
        const device = s.tags?.device;
        if (device) out.set(device, s.values.filter((row) => Number(row[1]) > 0).length);
      }
      return out;
    } catch (error) {
      this.logger.error(`evidence query failed: ${(error as Error).message}`);
      throw new ApiError('unavailable', 'the time-series store did not answer');
    }
  }
}
