import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';

/**
 * Child processes of the benchmark: each writes to its own log file, and stops with SIGTERM
 * (then SIGKILL after a grace period), one by one, by its own pid.
 */
export class Child {
  readonly exited: Promise<number | null>;
  private stdoutText = '';

  private constructor(
    readonly name: string,
    readonly process: ChildProcess,
    readonly logPath: string,
    collectStdout: boolean,
  ) {
    this.exited = new Promise((resolve) => process.once('exit', (code) => resolve(code)));
    if (collectStdout) process.stdout!.on('data', (chunk: Buffer) => (this.stdoutText += chunk.toString()));
  }

  static node(name: string, args: string[], options: { env?: NodeJS.ProcessEnv; logPath: string; nodeArgs?: string[]; stdout?: 'pipe' | 'log' }): Child {
    const log = createWriteStream(options.logPath);
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...args], { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    if (options.stdout !== 'pipe') child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    return new Child(name, child, options.logPath, options.stdout === 'pipe');
  }

  get pid(): number {
    return this.process.pid!;
  }

  get running(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  /** Everything the child writes to stdout, once it has exited. */
  async output(): Promise<string> {
    await this.exited;
    return this.stdoutText;
  }

  async stop(graceMs = 20_000): Promise<void> {
    if (!this.running) return;
    this.process.kill('SIGTERM');
    const timer = setTimeout(() => this.process.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  async logTail(lines = 20): Promise<string> {
    const text = await readFile(this.logPath, 'utf8').catch(() => '');
    return text.trim().split('\n').slice(-lines).join('\n');
  }
}

/**
 * Polls `probe` until it returns true, at most `timeoutMs`: a bounded loop on a real condition.
 * Returns false when time ran out (the caller reports it; nothing here asserts on speed).
 */
export async function pollUntil(probe: () => Promise<boolean> | boolean, options: { timeoutMs: number; intervalMs?: number }): Promise<boolean> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (await Promise.resolve(probe()).catch(() => false)) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 100));
  }
}

export async function httpStatus(url: string): Promise<number | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return undefined;
  }
}
