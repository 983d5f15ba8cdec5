import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * Runs greenwatch's processes side by side with readable, prefixed logs; restarts one that
 * crashes (with backoff); stops them in reverse start order, each allowed to finish its work
 * (ingest flushes to InfluxDB before InfluxDB stops).
 *
 * Children run in their own process groups, so a Ctrl-C in the terminal reaches only the
 * supervisor, which then stops them in order. Node children also hold an IPC channel and exit
 * when it closes, so they do not outlive a supervisor that was killed.
 */
export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** Resolves when the process is ready to serve (a port answers). */
  ready?: () => Promise<boolean>;
  /** Node processes get an IPC channel (see above). */
  node?: boolean;
}

const COLORS = [36, 33, 35, 32, 34, 31];

export class Supervisor {
  private readonly running = new Map<string, ChildProcess>();
  private readonly started: ProcessSpec[] = [];
  private stopping = false;
  private readonly width: number;

  constructor(
    names: string[],
    private readonly out: NodeJS.WritableStream = process.stdout,
  ) {
    this.width = Math.max(...names.map((n) => n.length), 10);
  }

  /** Starts a process and waits until it is ready (or fails). */
  async start(spec: ProcessSpec, timeoutMs = 60_000): Promise<void> {
    this.started.push(spec);
    this.spawn(spec, 0);
    if (!spec.ready) return;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const child = this.running.get(spec.name);
      if (!child) throw new Error(`${spec.name} exited during start-up (see its log above)`);
      if (await spec.ready().catch(() => false)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${spec.name} was not ready within ${timeoutMs / 1000} s`);
  }

  log(name: string, line: string): void {
    const index = this.started.findIndex((s) => s.name === name);
    const color = COLORS[(index < 0 ? 0 : index) % COLORS.length];
    const tty = (this.out as NodeJS.WriteStream).isTTY;
    const prefix = name.padEnd(this.width);
    this.out.write(`${tty ? `\x1b[${color}m${prefix}\x1b[0m` : prefix} | ${line}\n`);
  }

  /** Stops every process, the last started first. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const spec of [...this.started].reverse()) {
      const child = this.running.get(spec.name);
      if (!child) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.log(spec.name, 'did not stop within 20 s: killing it');
          child.kill('SIGKILL');
        }, 20_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      });
    }
  }

  private spawn(spec: ProcessSpec, restarts: number): void {
    const child = spawn(spec.command, spec.args, {
      // Children write to a pipe; keep their colors when the supervisor's own output is a terminal.
      env: { ...(spec.env ?? process.env), ...((this.out as NodeJS.WriteStream).isTTY ? { FORCE_COLOR: '1' } : {}) },
      detached: true,
      stdio: spec.node ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
    });
    this.running.set(spec.name, child);
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', (line) => this.log(spec.name, line));
    }
    child.on('error', (error) => this.log(spec.name, `cannot start: ${error.message}`));
    const startedAt = Date.now();
    child.on('exit', (code, signal) => {
      this.running.delete(spec.name);
      if (this.stopping) {
        this.log(spec.name, 'stopped');
        return;
      }
      // A crash after a good run restarts at once; repeated quick crashes back off up to 30 s.
      const quick = Date.now() - startedAt < 10_000;
      const next = quick ? restarts + 1 : 0;
      const delay = quick ? Math.min(30_000, 500 * 2 ** restarts) : 500;
      this.log(spec.name, `exited (${signal ?? `code ${code}`}); restarting in ${delay} ms`);
      setTimeout(() => {
        if (!this.stopping) this.spawn(spec, next);
      }, delay);
    });
  }
}
