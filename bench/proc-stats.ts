import { readFileSync } from 'node:fs';

/**
 * CPU time and memory of processes, from Linux's /proc (proc(5)): utime + stime of
 * /proc/<pid>/stat (fields 14 and 15, in clock ticks) and VmRSS / VmHWM of /proc/<pid>/status.
 */
const TICKS_PER_SECOND = 100; // sysconf(_SC_CLK_TCK), 100 on every Linux we run on

export interface ProcReading {
  cpuSeconds: number;
  rssBytes: number;
  /** Peak RSS since the process started. */
  hwmBytes: number;
}

export function readProc(pid: number): ProcReading | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { cpuSeconds, rssBytes: kib('VmRSS'), hwmBytes: kib('VmHWM') };
  } catch {
    return undefined; // gone
  }
}

export interface ProcessUsage {
  cpuSeconds: number;
  peakRssMiB: number;
}

/**
 * Samples named processes while a measurement runs: CPU seconds used between start() and stop(),
 * and the highest RSS seen (sampled every `intervalMs`; a process's VmHWM would include its
 * earlier steps). Processes may be added while it runs (the publisher starts later).
 */
export class ProcessSampler {
  private readonly first = new Map<string, number>();
  private readonly last = new Map<string, ProcReading>();
  private readonly peak = new Map<string, number>();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly pids: Map<string, number>,
    private readonly intervalMs = 200,
  ) {}

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    return this;
  }

  add(name: string, pid: number): void {
    this.pids.set(name, pid);
    this.sample();
  }

  /** Takes a last sample of `name` (call before a process you started exits). */
  sampleNow(): void {
    this.sample();
  }

  stop(): Record<string, ProcessUsage> {
    this.sample();
    clearInterval(this.timer);
    const out: Record<string, ProcessUsage> = {};
    for (const name of this.pids.keys()) {
      const last = this.last.get(name);
      if (!last) continue;
      out[name] = { cpuSeconds: round(last.cpuSeconds - (this.first.get(name) ?? 0), 2), peakRssMiB: round((this.peak.get(name) ?? 0) / 1048576, 1) };
    }
    return out;
  }

  private sample(): void {
    for (const [name, pid] of this.pids) {
      const reading = readProc(pid);
      if (!reading) continue;
      if (!this.first.has(name)) this.first.set(name, reading.cpuSeconds);
      this.last.set(name, reading);
      this.peak.set(name, Math.max(this.peak.get(name) ?? 0, reading.rssBytes));
    }
  }
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
