import type { ExpectedAlert, ScenarioRun } from '../plan/scenario-run.js';
import { type PredictedAlert, predictAlerts } from './alert-oracle.js';

export interface ExpectationReport {
  matched: { expected: ExpectedAlert; predicted: PredictedAlert }[];
  /** Declared but not caused (or caused outside the tolerance). */
  missing: ExpectedAlert[];
  /** Caused but not declared. */
  unexpected: PredictedAlert[];
}

/** Compares what a scenario declares with what the oracle says its signals cause. */
export function checkExpectations(run: ScenarioRun, predicted: PredictedAlert[] = predictAlerts(run)): ExpectationReport {
  const left = [...predicted];
  const report: ExpectationReport = { matched: [], missing: [], unexpected: [] };
  for (const expected of run.expected) {
    const i = left.findIndex((p) => p.rule === expected.rule && p.device === expected.device && Math.abs(p.at - expected.at) <= expected.toleranceMs);
    if (i < 0) report.missing.push(expected);
    else report.matched.push({ expected, predicted: left.splice(i, 1)[0] });
  }
  report.unexpected = left;
  return report;
}
