import { join } from 'node:path';
import { freePort, portAnswers } from '#config';
import { Child, pollUntil } from './children.js';
import { type PublisherSummary } from './load/publisher.js';
import { runPublisher, settle } from './load/publisher-process.js';
import { MqttCounter } from './mqtt-counter.js';
import { type ProcessUsage, ProcessSampler, round } from './proc-stats.js';

/**
 * The ceiling: a bare aedes (./bare-broker.ts, its own process) with one QoS 1 subscriber
 * counting (a persistent session like the ingest's), driven by the benchmark's publisher at full
 * speed. The rate is what the subscriber received over the time from the first publish to the
 * last message received.
 */
export type BarePersistence = 'memory' | 'journal';

export interface BareBrokerResult {
  persistence: BarePersistence;
  publisher: PublisherSummary;
  received: number;
  lost: number;
  ratePerSecond: number;
  processes: Record<string, ProcessUsage>;
}

export async function benchBareBroker(options: { persistence: BarePersistence; nodeArgs?: string[]; dir: string; durationS: number; devices: number; connections: number; window: number }): Promise<BareBrokerResult> {
  const port = await freePort();
  const args = [join('dist', 'bench', 'bare-broker.js'), String(port), options.persistence];
  if (options.persistence !== 'memory') args.push(join(options.dir, `bare-journal-${port}`));
  const broker = Child.node('bare-broker', args, { logPath: join(options.dir, `bare-broker-${options.persistence}.log`), nodeArgs: options.nodeArgs });
  try {
    if (!(await pollUntil(() => portAnswers(port), { timeoutMs: 15_000 }))) throw new Error(`the bare broker did not listen: ${await broker.logTail()}`);
    const url = `mqtt://127.0.0.1:${port}`;
    const subscriber = await MqttCounter.open({ url, topic: 'gc/+/+/+/telemetry', clientId: 'bench-bare-subscriber', clean: false });
    const sampler = new ProcessSampler(new Map([['broker', broker.pid], ['bench (subscriber)', process.pid]])).start();
    const publisher = await runPublisher({ url, communityId: 'bare', devices: options.devices, rate: 0, durationS: options.durationS, connections: options.connections, window: options.window }, options.dir, (pid) => sampler.add('publisher', pid));
    const { count } = await settle(() => subscriber.count, publisher.acknowledged, { stallMs: 3000, timeoutMs: 60_000, intervalMs: 50 });
    const processes = sampler.stop();
    processes.publisher = { cpuSeconds: publisher.cpuSeconds, peakRssMiB: publisher.peakRssMiB };
    await subscriber.close();
    return { persistence: options.persistence, publisher, received: count, lost: Math.max(0, publisher.acknowledged - count), ratePerSecond: round(count / ((subscriber.lastAt - publisher.startedAt) / 1000), 0), processes };
  } finally {
    await broker.stop();
  }
}
