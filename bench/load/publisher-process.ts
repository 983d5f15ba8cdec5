import { join } from 'node:path';
import { Child } from '../children.js';
import type { PublisherOptions, PublisherSummary } from './publisher.js';

/** Runs ./publisher.ts as its own process and returns its summary. */
export async function runPublisher(options: PublisherOptions, logDir: string, onStart?: (pid: number) => void): Promise<PublisherSummary> {
  const child = Child.node('publisher', [join('dist', 'bench', 'load', 'publisher.js'), JSON.stringify(options)], { logPath: join(logDir, `publisher-${options.communityId}.log`), stdout: 'pipe' });
  onStart?.(child.pid);
  const output = await child.output();
  const line = output.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as PublisherSummary;
  } catch {
    throw new Error(`the publisher printed no summary (exit ${child.process.exitCode}): ${await child.logTail()}`);
  }
}

/**
 * Waits until `count()` reaches `target`, or stops growing for `stallMs`, at most `timeoutMs`
 * (a bounded loop). Returns the count and when it was last seen growing or reaching the target.
 */
export async function settle(count: () => Promise<number> | number, target: number, options: { stallMs: number; timeoutMs: number; intervalMs: number }): Promise<{ count: number; at: number }> {
  const deadline = Date.now() + options.timeoutMs;
  let last = -1;
  let lastChange = Date.now();
  for (;;) {
    const now = Date.now();
    const value = await Promise.resolve(count()).catch(() => last);
    if (value !== last) {
      last = value;
      lastChange = now;
    }
    if (value >= target) return { count: value, at: now };
    if (now - lastChange > options.stallMs || now > deadline) return { count: value, at: lastChange };
    await new Promise((r) => setTimeout(r, options.intervalMs));
  }
}
