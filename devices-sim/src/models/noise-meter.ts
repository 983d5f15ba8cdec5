import { energyOf, GB3096_LIMITS, levelOf, roundTo } from '../acoustics.js';
import { inAnyRange, parseMinuteRange } from '../local-time.js';
import { backgroundLevel, eventsPerMinute } from './noise-profile.js';
import { type DeviceIncident, type DeviceModel, type Emission, phaseOf, ticks } from './model.js';

/**
 * A class-1 sound level meter (GB/T 3785) reporting each interval's LAeq, Lmax, Lmin and the
 * statistical levels L10/L50/L90. Everything that sounds (the background, short events, a party,
 * a site) is an energy contribution to the interval, so sources combine with the background by
 * energy: 10·log10(10^(L1/10) + 10^(L2/10)), never by adding decibels.
 */

/** A source heard for part of the interval. */
interface Source {
  /** Leq while the source sounds. */
  level: number;
  /** Fraction of the interval it sounds. */
  duty: number;
  /** Its loudest moment in this interval. */
  lmax: number;
}

const NONE = -Infinity;

export const noiseMeter: DeviceModel = function* (ctx) {
  const { device, clock, rng } = ctx;
  const zone = device.zone ?? '1';
  const limits = GB3096_LIMITS[zone];
  const permitted = (device.permittedHours ?? []).map(parseMinuteRange);
  const workingSite = device.site === 'construction' || device.site === 'renovation';
  const intervalS = ctx.intervalMs / 1000;
  let drift = 0;
  let moodDay = Number.NaN;
  let mood = 0;
  for (const t of ticks(ctx, phaseOf(ctx))) {
    const local = clock.local(t);
    if (local.day !== moodDay) {
      moodDay = local.day;
      mood = rng.normal(0, 0.6); // weather, wind and traffic differ from day to day
    }
    drift = 0.95 * drift + rng.normal(0, 0.3); // AR(1): slow wander, stationary sd ≈ 1 dB
    const bg = backgroundLevel(zone, clock, t) + mood + drift + rng.normal(0, 0.6);
    let energy = energyOf(bg);
    let lmax = bg + rng.uniform(3, 6);
    let eventSeconds = 0;
    let eventPeak = NONE;

    // Short events: peaks 6–13 dB over the background, at night capped 3 dB under the burst limit.
    const nEvents = rng.poisson(eventsPerMinute(local.hour) * (intervalS / 60));
    for (let i = 0; i < nEvents; i++) {
      let peak = bg + rng.uniform(6, 13);
      if (!clock.isDay(t)) peak = Math.min(peak, limits.night + 12);
      const seconds = rng.uniform(1, 6);
      energy += (seconds / intervalS) * energyOf(peak - 3); // roughly triangular: Leq of the event ≈ peak − 3
      eventSeconds += seconds;
      eventPeak = Math.max(eventPeak, peak);
      lmax = Math.max(lmax, peak);
    }

    const sources: Source[] = [];
    if (workingSite && permitted.length && local.weekday !== 0 && inAnyRange(permitted, local.minuteOfDay)) {
      // Routine work inside the permitted hours, kept under the zone's day limit.
      const construction = device.site === 'construction';
      sources.push({ level: limits.day - (construction ? 9 : 11) + rng.normal(0, 1.5), duty: rng.uniform(0.3, construction ? 0.7 : 0.5), lmax: limits.day + rng.uniform(5, 15) });
    }
    const events: Emission[] = [];
    // Horns on roads outside a ban area: a few a day, in traffic hours 07:00–20:00 (a ban area
    // hears none on a normal day). Half a second at 80 dB(A) adds ~44 dB(A) to an hour's Leq.
    if (!device.hornBan && zone !== '0' && zone !== '1' && local.hour >= 7 && local.hour < 20 && rng.chance((3 / 780) * (intervalS / 60))) {
      const peak = rng.uniform(76, 86);
      energy += (0.5 / intervalS) * energyOf(peak);
      lmax = Math.max(lmax, peak);
      events.push({ ts: t - rng.int(ctx.intervalMs - 1) - 1, channel: 'event', body: { type: 'horn', lmax: roundTo(peak, 1) } });
    }
    for (const incident of ctx.incidents) {
      if (incident.kind === 'horn') {
        for (const blast of hornBlasts(incident, t - ctx.intervalMs, t)) {
          const seconds = incident.params.seconds as number;
          energy += (seconds / intervalS) * energyOf(blast.lmax);
          lmax = Math.max(lmax, blast.lmax);
          events.push({ ts: blast.ts, channel: 'event', body: { type: 'horn', lmax: roundTo(blast.lmax, 1) } });
        }
        continue;
      }
      if (t - ctx.intervalMs >= incident.end || t <= incident.start) continue;
      const p = incident.params as { level: number; lmax: number; duty?: number };
      const overlap = (Math.min(t, incident.end) - Math.max(t - ctx.intervalMs, incident.start)) / ctx.intervalMs;
      const duty = (incident.kind === 'party' ? 1 : rng.uniform(0.7, 1.3) * (p.duty ?? 1)) * overlap;
      sources.push({ level: p.level + rng.normal(0, 2), duty: Math.min(1, duty), lmax: p.lmax - 6 * rng.next() * rng.next() });
    }

    // Statistical levels of the background alone, then each source added by energy where it sounds
    // long enough to reach them (L10 is exceeded 10 % of the time, L50 half, L90 nine tenths).
    let l90 = bg - rng.uniform(3, 5);
    let l50 = bg - rng.uniform(0.8, 2);
    let l10 = bg + rng.uniform(1.5, 3.5);
    if (eventSeconds > intervalS * 0.1) l10 = levelOf(energyOf(l10) + energyOf(eventPeak - 4));
    for (const s of sources) {
      energy += s.duty * energyOf(s.level);
      lmax = Math.max(lmax, s.lmax);
      if (s.duty > 0.1) l10 = levelOf(energyOf(l10) + energyOf(s.level + 2));
      if (s.duty > 0.5) l50 = levelOf(energyOf(l50) + energyOf(s.level - 1.5));
      if (s.duty > 0.9) l90 = levelOf(energyOf(l90) + energyOf(s.level - 4));
    }
    const laeq = levelOf(energy);
    lmax = Math.max(lmax, laeq + 1, l10 + 1);
    const lmin = l90 - rng.uniform(1, 3);
    yield* events.sort((a, b) => a.ts - b.ts);
    yield {
      ts: t,
      channel: 'telemetry',
      body: { laeq: roundTo(laeq, 1), lmax: roundTo(lmax, 1), lmin: roundTo(lmin, 1), l10: roundTo(Math.min(l10, lmax), 1), l50: roundTo(Math.min(l50, l10), 1), l90: roundTo(Math.min(l90, l50), 1) },
    };
  }
};

/** Blasts of a horn incident within (from, to]: `count` blasts spread evenly over the incident. */
function hornBlasts(incident: DeviceIncident, from: number, to: number): { ts: number; lmax: number }[] {
  const count = incident.params.count as number;
  const lmax = incident.params.lmax as number;
  const step = (incident.end - incident.start) / count;
  const blasts: { ts: number; lmax: number }[] = [];
  for (let i = 0; i < count; i++) {
    const ts = Math.round(incident.start + i * step);
    // Successive blasts differ a little: a driver leans on the horn harder, another car joins in.
    if (ts > from && ts <= to) blasts.push({ ts, lmax: lmax + ((i * 7) % 5) * 0.4 - 0.8 });
  }
  return blasts;
}

