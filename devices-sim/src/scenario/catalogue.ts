import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ScenarioError, type ScenarioFile, parseScenario } from './scenario-file.js';

/** The shipped scenarios: devices-sim/scenarios/*.yaml (this file runs from dist/devices-sim/src/scenario/). */
export const SCENARIO_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../devices-sim/scenarios');

export async function listScenarios(dir = SCENARIO_DIR): Promise<ScenarioFile[]> {
  const names = (await readdir(dir)).filter((n) => /\.ya?ml$/.test(n)).sort();
  return Promise.all(names.map((n) => loadScenarioFile(join(dir, n))));
}

/** A shipped scenario by name ("demo"), or a path to any scenario file. */
export async function loadScenario(nameOrPath: string, dir = SCENARIO_DIR): Promise<ScenarioFile> {
  const path = /[/\\]|\.ya?ml$/.test(nameOrPath) ? nameOrPath : join(dir, `${nameOrPath}.yaml`);
  return loadScenarioFile(path);
}

async function loadScenarioFile(path: string): Promise<ScenarioFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new ScenarioError(path, [{ field: '(file)', expected: 'a scenario name from `npm run sim -- list` or a scenario file', got: 'no such file' }]);
    throw error;
  }
  return parseScenario(text, path, basename(path).replace(/\.ya?ml$/, ''));
}
