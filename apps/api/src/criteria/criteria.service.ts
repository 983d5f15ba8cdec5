import { Inject, Injectable, Logger } from '@nestjs/common';
import { AlertRepository, AttestationRepository, CommunityRepository } from '#registry';
import { InfluxStore, type InfluxSeries, influxString } from '#storage';
import { type Principal, assertRead } from '../auth/access.js';
import { ApiError, badParameter, notFound } from '../http/api-error.js';
import { CLOCK, type Clock } from '../tokens.js';
import { zoneOffsetMs } from '#rules';
import { criteriaStatus } from './criteria-status.js';
import { type EnergyBucket, bucketMinutes, noiseEvidence, noiseEvidenceCsv, noiseEvidenceHtml } from './noise-evidence.js';
import { type GateAvailability, securityEvidence, securityEvidenceCsv, securityEvidenceHtml } from './security-evidence.js';
import { FILL_SLOT_MINUTES, wasteEvidence, wasteEvidenceCsv, wasteEvidenceHtml } from './waste-evidence.js';

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

  /** Evidence reports: criteria 5 (waste sorting), 10 (noise) and 12 (security) are computed; others are 501 for now. */
  async evidence(caller: Principal, criterion: string, q: { community: string; from?: number; to?: number; format?: 'json' | 'csv' | 'html' }): Promise<{ contentType: string; body: unknown }> {
    const { config, from, to } = this.period(caller, q, 30);
    if (criterion !== '5' && criterion !== '10' && criterion !== '12') throw new ApiError('not_implemented', `evidence for criterion ${criterion} is not implemented yet (criteria 5, 10 and 12 are); see /api/criteria for its status`);
    if (to - from > 400 * DAY) throw badParameter('from', 'from: expected a period of at most 400 days');
    const as = <T>(report: T, csv: (r: T) => string, html: (r: T) => string) =>
      q.format === 'csv' ? { contentType: 'text/csv; charset=utf-8', body: csv(report) } : q.format === 'html' ? { contentType: 'text/html; charset=utf-8', body: html(report) } : { contentType: 'application/json; charset=utf-8', body: report };
    // every evidence query: the community's points in the period
    const where = `"community" = ${influxString(q.community)} AND time >= ${Math.floor(from)}ms AND time < ${Math.floor(to)}ms`;

    if (criterion === '10') {
      const bucket = bucketMinutes(config.periods.day, zoneOffsetMs(from, config.timezone) / 60_000);
      const [energy, loud, horns] = await Promise.all([
        this.query(`SELECT sum("energy") AS "e", count("energy") AS "n" FROM "noise" WHERE ${where} GROUP BY time(${bucket}m), "device" fill(none)`),
        this.query(`SELECT "lmax" FROM "noise" WHERE ${where} AND "lmax" > 55 GROUP BY "device"`),
        this.query(`SELECT count("count") AS "n" FROM "device_event" WHERE ${where} AND "type" = 'horn' GROUP BY "device"`),
      ]);
      const buckets: EnergyBucket[] = energy.flatMap((s) => s.values.map((row) => ({ device: s.tags?.device ?? '', t: Number(row[0]), energySum: Number(row[1]), count: Number(row[2]) })));
      const workHourAlerts = new Map<string, number>();
      for (const a of this.alerts.list({ community: q.community, rule: 'noise.work_hours', from, to, limit: 100_000 })) if (a.deviceId) workHourAlerts.set(a.deviceId, (workHourAlerts.get(a.deviceId) ?? 0) + 1);
      const report = noiseEvidence({
        config,
        from,
        to,
        buckets,
        loud: loud.flatMap((s) => s.values.map((row) => ({ device: s.tags?.device ?? '', t: Number(row[0]), lmax: Number(row[1]) }))),
        hornEvents: new Map(horns.map((s) => [s.tags?.device ?? '', Number(s.values[0]?.[1] ?? 0)])),
        workHourAlerts,
      });
      return as(report, noiseEvidenceCsv, noiseEvidenceHtml);
    }

    if (criterion === '5') {
      const [perHour, categories, fill, emptied] = await Promise.all([
        this.query(`SELECT count("fillPct") AS "n" FROM "waste_bin" WHERE ${where} GROUP BY time(1h), "device" fill(0)`),
        this.query(`SELECT last("fillPct") FROM "waste_bin" WHERE ${where} GROUP BY "device", "category"`),
        this.query(`SELECT max("fillPct") AS "max" FROM "waste_bin" WHERE ${where} GROUP BY time(${FILL_SLOT_MINUTES}m), "device" fill(none)`),
        this.query(`SELECT "count" FROM "device_event" WHERE ${where} AND "type" = 'emptied' GROUP BY "device"`),
      ]);
      const reportedCategory = new Map<string, string>();
      for (const s of categories) if (s.tags?.device && s.tags.category) reportedCategory.set(s.tags.device, s.tags.category);
      const hours = [...hoursWithData(perHour)].map(([device, n]) => ({ device, category: reportedCategory.get(device), hoursWithData: n }));
      const report = wasteEvidence({
        config,
        from,
        to,
        hours,
        fill: fill.flatMap((s) => s.values.map((row) => ({ device: s.tags?.device ?? '', t: Number(row[0]), maxPct: Number(row[1]) }))),
        emptied: emptied.flatMap((s) => s.values.map((row) => ({ device: s.tags?.device ?? '', t: Number(row[0]) }))),
      });
      return as(report, wasteEvidenceCsv, wasteEvidenceHtml);
    }

    const gates = config.devices.filter((d) => d.type === 'access_gate');
    const reported = hoursWithData(await this.query(`SELECT count("doorClosed") AS "n" FROM "access_gate" WHERE ${where} GROUP BY time(1h), "device" fill(0)`));
    const hours = Math.ceil((to - from) / 3_600_000);
    const availability: GateAvailability[] = gates.map((g) => ({ deviceId: g.id, compoundId: g.compound, hours, hoursWithData: Math.min(hours, reported.get(g.id) ?? 0) }));
    const report = securityEvidence({ community: q.community, from, to, gates: availability, alerts: this.alerts.list({ community: q.community, criterion: '12', from, to, limit: 100_000 }) });
    return as(report, securityEvidenceCsv, securityEvidenceHtml);
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

  /** InfluxQL built only from validated ids (through influxString), integers and fixed names. */
  private async query(influxql: string) {
    try {
      return await this.influx.connection.query(influxql);
    } catch (error) {
      this.logger.error(`evidence query failed: ${(error as Error).message}`);
      throw new ApiError('unavailable', 'the time-series store did not answer');
    }
  }
}

/** Per device, the hours with at least one reading, from a count(...) GROUP BY time(1h), "device" query. */
function hoursWithData(series: InfluxSeries[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of series) if (s.tags?.device) out.set(s.tags.device, s.values.filter((row) => Number(row[1]) > 0).length);
  return out;
}
