import { type DeviceMessage, validateDeviceMessage } from '#contracts';
import { messageToLine } from '#storage';

/**
 * Cost of the per-message hot path, on one core: validate (UTF-8, JSON, schema, time) and
 * encode as line protocol. Prints ns per message for each device type and the mix.
 */
export interface ValidationResult {
  type: string;
  nsPerMessage: number;
  messagesPerSecond: number;
}

const NOW = Date.UTC(2026, 10, 1, 12, 0, 0);
const SAMPLES: [string, object][] = [
  ['gc/demo/noise/n-01/telemetry', { ts: NOW, seq: 1, laeq: 52.3, lmax: 71.2, lmin: 38.1, l10: 55.2, l50: 49.9, l90: 41.3, battery: 88 }],
  ['gc/demo/waste_bin/b-01/telemetry', { ts: NOW, seq: 1, fillPct: 63.5, category: 'kitchen', tempC: 24.1, weightKg: 31.2, lidOpen: false }],
  ['gc/demo/ev_charger/e-01/telemetry', { ts: NOW, seq: 1, state: 'charging', powerKw: 6.8, energyKwh: 15231.4, currentA: 31.2, tempC: 41.2 }],
  ['gc/demo/water_meter/w-01/telemetry', { ts: NOW, seq: 1, totalM3: 1234.567, flowLpm: 6.2 }],
  ['gc/demo/gas_meter/gm-01/telemetry', { ts: NOW, seq: 1, totalM3: 456.789, flowM3h: 0.4, methaneLel: 0.2, valve: 'open' }],
  ['gc/demo/access_gate/g-01/event', { ts: new Date(NOW).toISOString(), seq: 1, type: 'open', method: 'face' }],
];

function measure(samples: [string, Buffer][], iterations: number): number {
  let sink = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) {
    const [topic, payload] = samples[i % samples.length];
    const result = validateDeviceMessage(topic, payload, NOW);
    if (!result.ok) throw new Error(result.reason);
    sink += messageToLine(result.message as DeviceMessage, undefined).length;
  }
  const ns = Number(process.hrtime.bigint() - start) / iterations;
  if (sink === 0) throw new Error('unreachable');
  return ns;
}

export function benchValidation(iterations = 200_000): ValidationResult[] {
  const encoded = SAMPLES.map(([topic, body]) => [topic, Buffer.from(JSON.stringify(body))] as [string, Buffer]);
  measure(encoded, 50_000); // warm up the JIT
  const results: ValidationResult[] = encoded.map((sample) => {
    const ns = measure([sample], iterations / 2);
    return { type: sample[0].split('/')[2] + '/' + sample[0].split('/')[4], nsPerMessage: ns, messagesPerSecond: 1e9 / ns };
  });
  const mix = measure(encoded, iterations);
  results.push({ type: 'mix', nsPerMessage: mix, messagesPerSecond: 1e9 / mix });
  return results;
}
