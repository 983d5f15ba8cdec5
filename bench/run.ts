import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { benchIngestThroughput } from './ingest-throughput.js';
import { benchValidation } from './validation.js';

/**
 * `npm run bench`: prints what this machine does, and writes bench/results/latest.json.
 * Numbers only; nothing here passes or fails on speed.
 */
const results: Record<string, unknown> = { at: new Date().toISOString(), node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model };

console.log('validation + line protocol, one core:');
const validation = benchValidation();
for (const r of validation) console.log(`  ${r.type.padEnd(24)} ${r.nsPerMessage.toFixed(0).padStart(6)} ns/msg  ${Math.round(r.messagesPerSecond).toLocaleString('en').padStart(10)} msg/s`);
results.validation = validation;

console.log('\ningest throughput (broker + ingest + influxd as separate processes, QoS 1):');
const throughput = await benchIngestThroughput({ messages: Number(process.env.BENCH_MESSAGES ?? 200_000), connections: 8, window: 100 });
console.log(`  ${throughput.messages.toLocaleString('en')} readings over ${throughput.connections} connections`);
console.log(`  published in ${throughput.publishSeconds.toFixed(2)} s (${Math.round(throughput.publishedPerSecond).toLocaleString('en')}/s)`);
console.log(`  all stored after ${throughput.storedSeconds.toFixed(2)} s: ${Math.round(throughput.storedPerSecond).toLocaleString('en')} readings/s stored, ${throughput.stored - throughput.messages} lost or extra`);
results.ingest = throughput;

await mkdir('bench/results', { recursive: true });
await writeFile('bench/results/latest.json', `${JSON.stringify(results, null, 2)}\n`);
console.log('\nwritten to bench/results/latest.json');
