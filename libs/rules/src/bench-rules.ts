import { type DeviceMessage, DeviceRegistry, parseCommunityConfig } from '#contracts';
import { RulesEngine } from './engine.js';

/**
 * Benchmark, not a test: rule evaluation over recorded-like readings, and the memory of rule
 * state per 10,000 devices. Prints numbers; asserts nothing.
 *   npx tsc -p . && node --expose-gc dist/libs/rules/src/bench-rules.js [devices] [minutes]
 * Readings: one a minute per device, mixed types (40% noise, 20% waste bins, 10% each of gates,
 * chargers, water and gas meters), levels and fills that cross thresholds now and then, in
 * event-time order with jitter inside the lateness.
 */
const DEVICES = Number(process.argv[2] ?? 10_000);
const MINUTES = Number(process.argv[3] ?? 60);
const TYPES = [...Array(4).fill('noise'), 'waste_bin', 'waste_bin', 'access_gate', 'ev_charger', 'water_meter', 'gas_meter'] as const;
const CATS = ['recyclable', 'hazardous', 'kitchen', 'other'];
const BASE = Date.parse('2026-11-02T20:00:00+08:00');

function community(): DeviceRegistry {
  const lines = ['id: bench', 'name: Bench', 'compounds:'];
  for (let c = 0; c < 100; c++) lines.push(`  - {id: c${c}, name: C${c}}`);
  lines.push('devices:');
  for (let i = 0; i < DEVICES; i++) {
    const type = TYPES[i % TYPES.length];
    const extra = type === 'noise' ? `, zone: "${['1', '2', '4a'][i % 3]}"${i % 7 === 0 ? ', hornBan: true' : ''}${i % 11 === 0 ? ', site: construction' : ''}` : type === 'waste_bin' ? `, category: ${CATS[i % 4]}` : '';
    lines.push(`  - {id: d${i}, type: ${type}, compound: c${i % 100}${extra}}`);
  }
  return new DeviceRegistry([parseCommunityConfig(lines.join('\n'))]);
}

function reading(i: number, m: number): DeviceMessage {
  const type = TYPES[i % TYPES.length];
  const ts = BASE + m * 60_000 + ((i * 7919) % 50_000);
  const wave = Math.sin((i + m) / 9);
  const base = { communityId: 'bench', deviceType: type, deviceId: `d${i}`, channel: 'telemetry' as const, ts };
  switch (type) {
    case 'noise':
      return { ...base, fields: { laeq: 45 + 8 * wave, lmax: 58 + 12 * wave } };
    case 'waste_bin':
      return { ...base, fields: { fillPct: ((m + i) * 3) % 100, category: CATS[i % 4], tempC: 25 } };
    case 'access_gate':
      return { ...base, fields: { doorClosed: (m + i) % 13 !== 0 } };
    case 'ev_charger':
      return { ...base, fields: { state: wave > 0 ? 'charging' : 'idle', tempC: 60 + 25 * wave } };
    case 'water_meter':
      return { ...base, fields: { totalM3: 100 + m * 0.01, flowLpm: 5 + 30 * Math.max(0, wave) } };
    default:
      return { ...base, fields: { totalM3: 50 + m * 0.001, methaneLel: Math.max(0, 25 * wave) } };
  }
}

const gc = (globalThis as { gc?: () => void }).gc;
const heap = () => {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
};

const registry = community();
const messages: DeviceMessage[] = [];
for (let m = 0; m < MINUTES; m++) for (let i = 0; i < DEVICES; i++) messages.push(reading(i, m));
messages.sort((a, b) => a.ts - b.ts);

const before = heap();
const engine = new RulesEngine(registry, { latenessMs: 120_000 });
let alerts = 0;
const started = performance.now();
for (const msg of messages) alerts += engine.accept(msg).length;
alerts += engine.flush().length;
const seconds = (performance.now() - started) / 1000;
const after = heap();
const snapshotBytes = Buffer.byteLength(JSON.stringify(engine.snapshot()));

const perDevice = (after - before) / DEVICES;
console.log(`rules bench: ${DEVICES.toLocaleString('en')} devices × ${MINUTES} minutes = ${messages.length.toLocaleString('en')} readings`);
console.log(`  evaluation: ${seconds.toFixed(2)} s on one core -> ${Math.round(messages.length / seconds).toLocaleString('en')} readings/s (${alerts} alert transitions, ${engine.book.size} open)`);
console.log(`  rule state: ${(perDevice / 1024).toFixed(2)} KiB/device in the heap${gc ? '' : ' (run with --expose-gc for a stable number)'} -> ${((perDevice * 10_000) / 1024 / 1024).toFixed(1)} MiB per 10,000 devices; snapshot ${(snapshotBytes / 1024 / 1024).toFixed(1)} MiB JSON`);
