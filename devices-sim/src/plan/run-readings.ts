import type { PlannedStep } from './device-plan.js';
import type { ScenarioRun } from './scenario-run.js';

export type Body = Record<string, number | string | boolean> & { ts: number; seq: number };

/** What one device published over a run, parsed: for statistics and tests. */
export interface DeviceReadings {
  telemetry: Body[];
  events: Body[];
  status: Body[];
  /** drop / reconnect steps. */
  connection: PlannedStep[];
}

export function readingsOf(run: ScenarioRun, steps: Iterable<PlannedStep> = run.steps()): Map<string, DeviceReadings> {
  const byDevice = new Map(run.devices.map((d) => [d.deviceId, { telemetry: [], events: [], status: [], connection: [] } as DeviceReadings]));
  for (const step of steps) {
    const r = byDevice.get(run.devices[step.device].deviceId)!;
    if (step.kind !== 'publish') r.connection.push(step);
    else if (step.channel === 'telemetry') r.telemetry.push(JSON.parse(step.payload) as Body);
    else if (step.channel === 'event') r.events.push(JSON.parse(step.payload) as Body);
    else r.status.push(JSON.parse(step.payload) as Body);
  }
  return byDevice;
}
