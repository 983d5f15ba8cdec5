import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';

/**
 * The top self-time functions of a V8 CPU profile (`node --cpu-prof`): each sample's time goes
 * to the function on top of the stack. Functions are grouped by name, file and line.
 *   node dist/bench/profile-summary.js <file.cpuprofile | directory> [top]
 */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface SelfTime {
  function: string;
  where: string;
  selfMs: number;
  percent: number;
}

export async function summarizeProfile(path: string, top = 15): Promise<{ totalMs: number; functions: SelfTime[] }> {
  const profile = JSON.parse(await readFile(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, { function: string; where: string; us: number }>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]);
    const dt = profile.timeDeltas[i] ?? 0;
    if (!node) continue;
    const frame = node.callFrame;
    if (frame.functionName === '(idle)') continue;
    total += dt;
    const where = frame.url ? `${shorten(frame.url)}:${frame.lineNumber + 1}` : '';
    const key = `${frame.functionName}@${where}`;
    const entry = self.get(key) ?? { function: frame.functionName || '(anonymous)', where, us: 0 };
    entry.us += dt;
    self.set(key, entry);
  }
  const functions = [...self.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map((e) => ({ function: e.function, where: e.where, selfMs: Math.round(e.us / 1000), percent: Math.round((1000 * e.us) / total) / 10 }));
  return { totalMs: Math.round(total / 1000), functions };
}

function shorten(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) return path.slice(nm + 1);
  return path.startsWith('/') ? relative(process.cwd(), path) : path;
}

export async function profilesIn(pathOrDir: string): Promise<string[]> {
  if (pathOrDir.endsWith('.cpuprofile')) return [pathOrDir];
  return (await readdir(pathOrDir)).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(pathOrDir, f));
}

export function formatSelfTimes(title: string, summary: { totalMs: number; functions: SelfTime[] }): string {
  const lines = [`${title} (${(summary.totalMs / 1000).toFixed(1)} s on CPU, idle excluded), top self time:`];
  for (const f of summary.functions) lines.push(`  ${f.percent.toFixed(1).padStart(5)}%  ${String(f.selfMs).padStart(6)} ms  ${f.function.slice(0, 40).padEnd(40)} ${f.where}`);
  return lines.join('\n');
}

if (process.argv[1]?.endsWith('profile-summary.js') && process.argv[2]) {
  for (const file of await profilesIn(process.argv[2])) console.log(formatSelfTimes(file, await summarizeProfile(file, Number(process.argv[3] ?? 15))));
}
