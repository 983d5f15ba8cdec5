import { type OperatorFunction, concat, defer, from, mergeMap } from 'rxjs';
import type { Alert, DeviceMessage } from '#contracts';
import type { RulesEngine } from './engine.js';

/** A device message as the rules service receives it: validated, with the MQTT retain flag. */
export interface RuleInput {
  message: DeviceMessage;
  retained?: boolean;
  /** A status whose payload had no `ts` (the broker's last will). */
  untimed?: boolean;
}

/**
 * Device messages -> alert transitions, through the engine (which keys state by device and
 * orders each community by event time). Built from two smaller operators: one message yields
 * zero or more alerts (`judge`), and the end of the input judges what is still buffered
 * (`flushOnComplete`), so a finite replay ends with every alert it causes. No scheduler is
 * involved: time is the messages' `ts`.
 */
export function evaluateRules(engine: RulesEngine): OperatorFunction<RuleInput, Alert> {
  return (source) => source.pipe(judge(engine), flushOnComplete(engine));
}

export function judge(engine: RulesEngine): OperatorFunction<RuleInput, Alert> {
  return mergeMap((input) => from(engine.accept(input.message, { retained: input.retained, untimed: input.untimed })));
}

export function flushOnComplete(engine: RulesEngine): OperatorFunction<Alert, Alert> {
  return (source) => concat(source, defer(() => from(engine.flush())));
}
