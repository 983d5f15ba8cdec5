import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * Rule state per device, from libs/rules/src/bench-rules.ts (the engine alone, one core, heap
 * measured around it with --expose-gc): its printed lines, and the KiB/device parsed from them.
 */
export interface RulesStateResult {
  devices: number;
  minutes: number;
  readingsPerSecond: number | undefined;
  kibPerDevice: number | undefined;
  output: string;
}

export async function benchRulesState(devices: number, minutes: number): Promise<RulesStateResult> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', join('dist', 'libs', 'rules', 'src', 'bench-rules.js'), String(devices), String(minutes)], { timeout: 120_000 });
  const number = (re: RegExp) => {
    const m = re.exec(stdout);
    return m ? Number(m[1].replace(/,/g, '')) : undefined;
  };
  return { devices, minutes, readingsPerSecond: number(/-> ([\d,]+) readings\/s/), kibPerDevice: number(/rule state: ([\d.]+) KiB\/device/), output: stdout.trim() };
}
