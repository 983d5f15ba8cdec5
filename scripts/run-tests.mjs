#!/usr/bin/env node
// Runs the compiled test files with Node's built-in test runner.
//   node scripts/run-tests.mjs            every *.test.js under dist/
//   node scripts/run-tests.mjs unit       only the unit specs beside the code (apps/, libs/, devices-sim/)
//   node scripts/run-tests.mjs integration only test/
// Node 20's runner takes no globs, so the file list is made here.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const tier = process.argv[2] ?? 'all';
const roots = { all: ['dist'], unit: ['dist/apps', 'dist/libs', 'dist/devices-sim'], integration: ['dist/test'] }[tier];
if (!roots) {
  console.error(`unknown tier ${tier}: use all, unit or integration`);
  process.exit(2);
}

function find(dir, out = []) {
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) find(path, out);
    else if (name.endsWith('.test.js')) out.push(path);
  }
  return out;
}

const files = roots.flatMap((root) => find(root)).sort();
if (files.length === 0) {
  console.error('no test files found: did the build run?');
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--enable-source-maps', '--test', '--test-concurrency=2', '--test-timeout=900000', '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=./scripts/summary-reporter.mjs', '--test-reporter-destination=stdout', ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
