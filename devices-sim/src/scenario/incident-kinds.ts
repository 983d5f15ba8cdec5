import { z } from 'zod';
import type { DeviceType } from '#contracts';

/**
 * What can go wrong, by device type, and the knobs of each incident. Defaults are chosen to be
 * typical of the real event (levels at the meter, not at the source), and are documented per kind
 * in devices-sim/README.md. Every incident lasts from `start` for `duration`.
 */
const db = (min: number, max: number, def: number) => z.number().min(min).max(max).default(def);

export const INCIDENT_KINDS = {
  // noise meters: sources that add to the background by energy
  /** Amplified music and voices; Leq at the meter while it lasts, and its loudest moments. */
  party: { deviceType: 'noise', params: z.strictObject({ level: db(30, 110, 60), lmax: db(30, 130, 74) }) },
  /** Piling, breakers, concrete pumps at a site boundary: loud, working most of each minute. */
  construction: { deviceType: 'noise', params: z.strictObject({ level: db(30, 120, 72), lmax: db(30, 130, 88), duty: z.number().min(0.05).max(1).default(0.7) }) },
  /** Drilling and hammering inside a flat, heard at the meter in bursts. */
  renovation: { deviceType: 'noise', params: z.strictObject({ level: db(30, 110, 66), lmax: db(30, 130, 82), duty: z.number().min(0.05).max(1).default(0.5) }) },
  /** Horn blasts spread evenly over the incident; the meter reports each as a `horn` event. */
  horn: { deviceType: 'noise', params: z.strictObject({ count: z.number().int().min(1).max(100).default(3), lmax: db(60, 130, 86), seconds: z.number().min(0.1).max(10).default(0.6) }) },
  // waste bins
  /** Extra dumping (a move-out, a festival): the bin fills this many % per hour on top of normal use. */
  overflow: { deviceType: 'waste_bin', params: z.strictObject({ extraPctPerHour: z.number().min(1).max(500).default(40) }) },
  /** Every collection inside the incident is skipped. */
  missed_collection: { deviceType: 'waste_bin', params: z.strictObject({}) },
  /** Smouldering contents: temperature climbs to the peak in 10 minutes and cools after the incident. */
  bin_fire: { deviceType: 'waste_bin', params: z.strictObject({ peakC: z.number().min(60).max(250).default(120) }) },
  /** Wrong waste in the bin, detected by the bin's camera or the collector: `contamination` events. */
  contamination: { deviceType: 'waste_bin', params: z.strictObject({ count: z.number().int().min(1).max(20).default(1) }) },
  // EV chargers
  /** The charger reports a fault (state fault, a `fault` event with the code) and stops charging. */
  charger_fault: { deviceType: 'ev_charger', params: z.strictObject({ code: z.string().min(1).max(16).default('E07-GROUND') }) },
  /** A loose contact heats the connector while a car charges (a session starts with the incident). */
  overheat: { deviceType: 'ev_charger', params: z.strictObject({ peakC: z.number().min(60).max(200).default(88) }) },
  // water meters
  /** A running toilet or dripping pipe: continuous flow, night included. */
  water_leak: { deviceType: 'water_meter', params: z.strictObject({ flowLpm: z.number().min(0.05).max(30).default(1.2) }) },
  /** A burst pipe: high flow for the duration. */
  pipe_burst: { deviceType: 'water_meter', params: z.strictObject({ flowLpm: z.number().min(31).max(500).default(45) }) },
  // gas meters
  /** Methane builds up to the peak %LEL over the ramp; the meter alarms at 25 %LEL and shuts its valve. */
  gas_leak: { deviceType: 'gas_meter', params: z.strictObject({ peakLel: z.number().min(1).max(100).default(35), rampMinutes: z.number().min(1).max(600).default(15) }) },
  // access gates
  /** The door is forced without a credential and stays open `openSeconds`. */
  forced_open: { deviceType: 'access_gate', params: z.strictObject({ openSeconds: z.number().min(1).max(3600).default(20) }) },
  /** The door is propped open for the whole duration. */
  held_open: { deviceType: 'access_gate', params: z.strictObject({}) },
  /** People follow someone through without a credential: `count` detections spread over the duration. */
  tailgating: { deviceType: 'access_gate', params: z.strictObject({ count: z.number().int().min(1).max(100).default(4) }) },
  /** The gate loses its network: its connection drops (the broker publishes its last will) and it is silent for the duration. */
  gate_offline: { deviceType: 'access_gate', params: z.strictObject({}) },
} as const satisfies Record<string, { deviceType: DeviceType; params: z.ZodType }>;

export type IncidentKind = keyof typeof INCIDENT_KINDS;
export const INCIDENT_KIND_NAMES = Object.keys(INCIDENT_KINDS) as IncidentKind[];
export type IncidentParams<K extends IncidentKind> = z.output<(typeof INCIDENT_KINDS)[K]['params']>;

/** Rule ids of shared/design/criteria.md (one list, in the contract); an expectation naming another rule is a typo. */
export { RULE_IDS, type RuleId } from '#contracts';
