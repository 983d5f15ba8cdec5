import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '#config';
import { LocalInfluxd } from '#storage';
import { tempDir } from '#testing';
import { type BareBrokerResult, type BarePersistence, benchBareBroker } from './bare-broker-bench.js';
import { EndToEndBench, type StepResult } from './end-to-end.js';
import { BenchPipeline } from './pipeline.js';
import { formatSelfTimes, profilesIn, summarizeProfile } from './profile-summary.js';
import { bareTable, eventLoopTable, resourceTable, stepTable } from './report.js';
import { benchRulesState } from './rules-state.js';
import { benchStartup } from './startup.js';
import { benchValidation } from './validation.js';

/**
 * `npm run bench`: the pipeline end to end beside the bare broker, on this machine; prints tables
 * and writes bench/results/latest.json. Numbers only: nothing here passes or fails on speed.
 *
 * Environment (all optional):
 *   BENCH_RATES        readings/s of the pipeline steps, "max" = as fast as the windows allow
 *                      (default 1000,2000,5000,10000,20000,max)
 *   BENCH_STEP_S       seconds of publishing per step (default 20)
 *   BENCH_BARE_S       seconds of publishing per bare-broker run (default 10)
 *   BENCH_BARE         bare runs (default memory,journal: aedes in memory, and with our session journal)
 *   BENCH_LATENESS_S   RULES_LATENESS_S of the rules process (default 0.05)
 *   BENCH_PROFILE=1    run broker, ingest and rules with --cpu-prof into bench/results/profiles, and print
 *                      their top self-time functions (best with BENCH_RATES=max)
 *   BENCH_SKIP         comma list of parts to leave out: startup, bare, rules, validation
 */
const env = process.env;
const rates = (env.BENCH_RATES ?? '1000,2000,5000,10000,20000,max').split(',').map((r) => (r.trim() === 'max' ? ('max' as const) : Number(r)));
const stepS = Number(env.BENCH_STEP_S ?? 20);
const bareS = Number(env.BENCH_BARE_S ?? 10);
const bareKinds = (env.BENCH_BARE ?? 'memory,journal').split(',') as BarePersistence[];
const latenessS = Number(env.BENCH_LATENESS_S ?? 0.05);
const skip = new Set((env.BENCH_SKIP ?? '').split(','));
const profileDir = env.BENCH_PROFILE === '1' ? resolve('bench', 'results', 'profiles') : undefined;
const DEVICES = 1000;
const CONNECTIONS = 4;
const WINDOW = 256;

const started = Date.now();
const results: Record<string, unknown> = { at: new Date().toISOString(), node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, devices: DEVICES, connections: CONNECTIONS, window: WINDOW, rulesLatenessS: latenessS };
const say = (line = '') => console.log(line);

if (!skip.has('validation')) {
  say('validation + line protocol, one core:');
  const validation = benchValidation();
  for (const r of validation) say(`  ${r.type.padEnd(24)} ${r.nsPerMessage.toFixed(0).padStart(6)} ns/msg  ${Math.round(r.messagesPerSecond).toLocaleString('en').padStart(10)} msg/s`);
  results.validation = validation;
}

const dir = await tempDir('greenwatch-bench-');
if (profileDir) await mkdir(profileDir, { recursive: true });
const influxd = await LocalInfluxd.start({ dir: join(dir.path, 'influxdb'), httpPort: await freePort(), rpcPort: await freePort() });
try {
  if (!skip.has('startup')) {
    const startup = await benchStartup({ influxUrl: influxd.url, dir: dir.path });
    results.startup = startup;
    say(`\nnpm start with InfluxDB running: api /health answers after ${startup.healthAnswersMs ?? '-'} ms, "ready." after ${startup.readyLineMs ?? '-'} ms`);
  }

  const bare: BareBrokerResult[] = [];
  if (!skip.has('bare')) {
    for (const persistence of bareKinds) bare.push(await benchBareBroker({ persistence, dir: dir.path, durationS: bareS, devices: DEVICES, connections: CONNECTIONS, window: WINDOW }));
    results.bare = bare;
    say(`\n${bareTable(bare)}`);
  }

  const communities = rates.map((_, i) => `s${i + 1}`);
  const pipeline = await BenchPipeline.start({ dir: dir.path, influxUrl: influxd.url, database: 'bench', communities, devices: DEVICES, latenessS, profileDir });
  const steps: StepResult[] = [];
  try {
    const pids = pipeline.pids();
    pids.set('influxd', influxd.process.pid!);
    const bench = await EndToEndBench.open(pipeline, influxd.url, 'bench', { devices: DEVICES, connections: CONNECTIONS, window: WINDOW, logDir: dir.path, latenessS });
    say(`\npipeline: ${DEVICES} devices (1 % gas meters alternating raise/clear), ${CONNECTIONS} QoS 1 connections × window ${WINDOW}, RULES_LATENESS_S=${latenessS}, ${stepS} s per step`);
    for (let i = 0; i < rates.length; i++) {
      const step = await bench.step(String(rates[i]), communities[i], rates[i], stepS, pids);
      steps.push(step);
      say(`  ${String(rates[i]).padStart(6)}/s: ${step.publisher.acknowledged.toLocaleString('en')} acknowledged, ${step.stored.toLocaleString('en')} stored (${step.storedPerSecond.toLocaleString('en')}/s), ${step.alerts.received}/${step.alerts.expected} alerts`);
    }
    await bench.close();
  } finally {
    await pipeline.stop();
  }
  results.steps = steps;
  say(`\n${stepTable(steps)}\n\n${resourceTable(steps)}\n\n${eventLoopTable(steps)}`);

  // The ratio: the best rate the pipeline sustained end to end with nothing lost, over the bare broker's.
  const sustained = Math.max(0, ...steps.filter((s) => s.lost === 0).map((s) => s.storedPerSecond));
  const ratios: Record<string, number> = {};
  for (const b of bare) ratios[b.persistence] = Math.round((100 * sustained) / b.ratePerSecond) / 100;
  results.ratio = { pipelineSustainedPerSecond: sustained, ...Object.fromEntries(Object.entries(ratios).map(([k, v]) => [`vsBare_${k}`, v])) };
  say(`\nratio pipeline / bare: ${sustained.toLocaleString('en')} readings/s sustained end to end with zero loss = ${Object.entries(ratios).map(([k, v]) => `${v} × bare (${k})`).join(', ') || '(no bare run)'}`);

  if (!skip.has('rules')) {
    const rules = await benchRulesState(10_000, 30);
    results.rulesState = rules;
    say(`\nrules engine alone (libs/rules/src/bench-rules.ts, 10,000 devices × 30 min):\n  ${rules.output.split('\n').slice(1).join('\n  ')}`);
  }

  const tenK = steps.find((s) => s.targetRate === 10_000);
  const rulesState = results.rulesState as { kibPerDevice?: number } | undefined;
  const startup = results.startup as { healthAnswersMs?: number; readyLineMs?: number } | undefined;
  const memoryBare = bare.find((b) => b.persistence === 'memory');
  const targets = {
    endToEndVsBare: { target: '>= 0.9 × bare QoS 1, zero loss', measured: memoryBare ? ratios.memory : undefined },
    alertP99At10k: { target: '< 200 ms at 10,000 readings/s', measured: tenK?.alerts.latencyMs.p99, complete: tenK ? `${tenK.alerts.received}/${tenK.alerts.expected}` : undefined, publishedPerSecond: tenK?.publishedPerSecond },
    ruleStateKiBPerDevice: { target: '<= 2 KiB/device', measured: rulesState?.kibPerDevice },
    startupMs: { target: 'ready within 10 s with InfluxDB running', measured: startup?.readyLineMs, healthAnswersMs: startup?.healthAnswersMs },
  };
  results.targets = targets;
  say('\ntargets (issue P6; reported, not asserted):');
  say(`  end to end / bare QoS 1 ≥ 0.9:        ${targets.endToEndVsBare.measured ?? '-'}`);
  say(`  p99 publish -> alert at 10,000/s:     ${tenK ? `${tenK.alerts.latencyMs.p99} ms (the publisher got ${tenK.publishedPerSecond.toLocaleString('en')}/s through; ${targets.alertP99At10k.complete} alerts)` : '-'}`);
  say(`  rule state per device ≤ 2 KiB:        ${rulesState?.kibPerDevice ?? '-'} KiB`);
  say(`  npm start ready ≤ 10 s:               ${startup?.readyLineMs ?? '-'} ms (api /health answered at ${startup?.healthAnswersMs ?? '-'} ms)`);

  if (profileDir) {
    const profiles: Record<string, unknown> = {};
    for (const file of await profilesIn(profileDir)) {
      const summary = await summarizeProfile(file, 15);
      profiles[file] = summary;
      say(`\n${formatSelfTimes(file, summary)}`);
    }
    results.profiles = profiles;
  }
} finally {
  await influxd.stop();
  await dir.remove();
}

results.totalSeconds = Math.round((Date.now() - started) / 1000);
await mkdir('bench/results', { recursive: true });
await writeFile('bench/results/latest.json', `${JSON.stringify(results, null, 2)}\n`);
say(`\nwritten to bench/results/latest.json (${results.totalSeconds} s)`);
