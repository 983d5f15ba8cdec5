import type { BareBrokerResult } from './bare-broker-bench.js';
import type { StepResult } from './end-to-end.js';

/** The readable tables `npm run bench` prints. */
const n = (v: number) => Math.round(v).toLocaleString('en');
const pad = (s: string, w: number) => s.padStart(w);

export function bareTable(results: BareBrokerResult[]): string {
  const lines = ['bare aedes, QoS 1 publish -> one QoS 1 subscriber (persistent session), publisher at full speed:', `  ${'persistence'.padEnd(20)}${pad('msg/s', 9)}${pad('received', 11)}${pad('lost', 7)}${pad('PUBACK p50/p99 ms', 19)}${pad('broker CPU s', 14)}${pad('RSS MiB', 9)}`];
  for (const r of results) {
    lines.push(
      `  ${r.persistence.padEnd(20)}${pad(n(r.ratePerSecond), 9)}${pad(n(r.received), 11)}${pad(n(r.lost), 7)}${pad(`${r.publisher.ackLatencyMs.p50}/${r.publisher.ackLatencyMs.p99}`, 19)}${pad(r.processes.broker?.cpuSeconds.toFixed(1) ?? '-', 14)}${pad(r.processes.broker?.peakRssMiB.toFixed(0) ?? '-', 9)}`,
    );
  }
  return lines.join('\n');
}

export function stepTable(steps: StepResult[]): string {
  const head = `  ${'target/s'.padEnd(9)}${pad('publ./s', 9)}${pad('stored/s', 10)}${pad('stored', 10)}${pad('lost', 6)}${pad('stored p50/p99 ms', 19)}${pad('alerts/expected', 17)}${pad('late', 7)}${pad('alert p50/p99 ms', 18)}`;
  const lines = ['pipeline end to end (broker + ingest + rules + influxd, separate processes):', head];
  for (const s of steps) {
    lines.push(
      `  ${String(s.targetRate === 'max' ? 'max' : n(s.targetRate)).padEnd(9)}${pad(n(s.publishedPerSecond), 9)}${pad(n(s.storedPerSecond), 10)}${pad(n(s.stored), 10)}${pad(n(s.lost), 6)}${pad(`${s.storedLatencyMs.p50}/${s.storedLatencyMs.p99}`, 19)}${pad(`${n(s.alerts.received)}/${n(s.alerts.expected)}`, 17)}${pad(n(s.alerts.late), 7)}${pad(`${s.alerts.latencyMs.p50}/${s.alerts.latencyMs.p99}`, 18)}`,
    );
  }
  return lines.join('\n');
}

const PROCESSES = ['publisher', 'broker', 'ingest', 'rules', 'influxd'];

const LOOPS = ['broker', 'ingest', 'rules'];

/** How late each app's event loop ran during a step: where latency tails come from. */
export function eventLoopTable(steps: StepResult[]): string {
  const lines = ['event-loop delay during the step, p99/max ms:', `  ${'target/s'.padEnd(9)}${LOOPS.map((p) => pad(p, 14)).join('')}`];
  for (const s of steps) {
    lines.push(`  ${String(s.targetRate === 'max' ? 'max' : n(s.targetRate)).padEnd(9)}${LOOPS.map((p) => pad(s.eventLoopMs[p] ? `${s.eventLoopMs[p].p99}/${s.eventLoopMs[p].max}` : '-', 14)).join('')}`);
  }
  return lines.join('\n');
}

export function resourceTable(steps: StepResult[]): string {
  const lines = ['CPU seconds during the step (incl. drain) / peak RSS MiB, per process:', `  ${'target/s'.padEnd(9)}${PROCESSES.map((p) => pad(p, 14)).join('')}`];
  for (const s of steps) {
    lines.push(`  ${String(s.targetRate === 'max' ? 'max' : n(s.targetRate)).padEnd(9)}${PROCESSES.map((p) => pad(s.processes[p] ? `${s.processes[p].cpuSeconds.toFixed(1)}/${s.processes[p].peakRssMiB.toFixed(0)}` : '-', 14)).join('')}`);
  }
  return lines.join('\n');
}
