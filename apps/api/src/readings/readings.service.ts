import { Inject, Injectable, Logger } from '@nestjs/common';
import { CommunityRepository } from '#registry';
import { InfluxStore } from '#storage';
import { type Principal, assertRead, canRead } from '../auth/access.js';
import { ApiError, badParameter, forbidden, notFound } from '../http/api-error.js';
import { CLOCK, type Clock } from '../tokens.js';
import { MAX_POINTS, MAX_RANGE_MS, READING_FIELDS, type ReadingsQuery, autoEvery, readingsInfluxQL, toPoints } from './readings-query.js';

@Injectable()
export class ReadingsService {
  private readonly logger = new Logger('Readings');

  constructor(
    private readonly communities: CommunityRepository,
    private readonly influx: InfluxStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async readings(caller: Principal, q: ReadingsQuery) {
    const to = q.to ?? this.clock.now();
    const from = q.from ?? to - 86_400_000;
    if (from >= to) throw badParameter('from', 'from: expected from before to');
    if (to - from > MAX_RANGE_MS) throw badParameter('from', 'from: expected a range of at most 400 days');
    const everyMs = q.every ?? autoEvery(to - from);
    if ((to - from) / everyMs > MAX_POINTS) throw badParameter('every', `every: expected at most ${MAX_POINTS} points over the range; use a longer every`);

    if (q.community) assertRead(caller, q.community);
    const candidates = this.communities.devicesById(q.device).filter((d) => !q.community || d.communityId === q.community);
    const visible = candidates.filter((d) => canRead(caller, d.communityId));
    if (candidates.length && !visible.length) throw forbidden(`this key may not read device ${q.device}`);
    if (!visible.length) throw notFound(`no device ${q.device}${q.community ? ` in community ${q.community}` : ''}`);
    if (visible.length > 1) throw badParameter('community', `community: device ${q.device} exists in ${visible.map((d) => d.communityId).join(', ')}; name the community`);
    const device = visible[0];

    const influxql = readingsInfluxQL({ deviceType: device.type, community: device.communityId, device: device.id, from, to, everyMs });
    let series;
    try {
      series = await this.influx.connection.query(influxql);
    } catch (error) {
      this.logger.error(`readings query failed: ${(error as Error).message}`);
      throw new ApiError('unavailable', 'the time-series store did not answer');
    }
    const s = series[0];
    return {
      community: device.communityId,
      device: device.id,
      deviceType: device.type,
      from,
      to,
      everyMs,
      fields: READING_FIELDS[device.type],
      points: s ? toPoints(device.type, s.columns, s.values) : [],
    };
  }
}
