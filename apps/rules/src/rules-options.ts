import { z } from 'zod';
import { ConfigError } from '#config';

/**
 * The rules service's own variables, validated once at boot like libs/config's (one error names
 * every bad variable). They live here until libs/config takes them (see the P3 report):
 *   RULES_CLIENT_ID   its fixed MQTT client id (persistent session)      default greenwatch-rules
 *   RULES_LATENESS_S  how late (event time) a message may still be judged default 120
 *   RULES_SNAPSHOT_S  how often the rule state is saved to DATA_DIR       default 10
 *   RULES_CATCHUP_S   longest wait for the broker's backlog after a restart default 30
 */
export interface RulesOptions {
  clientId: string;
  latenessMs: number;
  snapshotIntervalMs: number;
  /** Longest wall time to wait, after a restart, for the broker's backlog before judging resumes anyway. Default 30 s. */
  catchUpTimeoutMs?: number;
}

const SCHEMA = z.object({
  RULES_CLIENT_ID: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'an MQTT client id').default('greenwatch-rules'),
  RULES_LATENESS_S: z.coerce.number().min(0).max(86_400).default(120),
  RULES_SNAPSHOT_S: z.coerce.number().min(1).max(3600).default(10),
  RULES_CATCHUP_S: z.coerce.number().min(0).max(3600).default(30),
});

export function loadRulesOptions(env: NodeJS.ProcessEnv = process.env): RulesOptions {
  const result = SCHEMA.safeParse(env);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => ({ variable: String(i.path[0]), message: `expected ${i.message}, got ${JSON.stringify(env[String(i.path[0])] ?? null)}` })));
  }
  const e = result.data;
  return { clientId: e.RULES_CLIENT_ID, latenessMs: e.RULES_LATENESS_S * 1000, snapshotIntervalMs: e.RULES_SNAPSHOT_S * 1000, catchUpTimeoutMs: e.RULES_CATCHUP_S * 1000 };
}
