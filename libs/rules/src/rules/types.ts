import type { DeviceMessage, DeviceType, RegisteredDevice, RuleId, Severity } from '#contracts';
import type { RuleParams } from '../catalogue.js';
import type { MinuteRange } from '../local-time.js';

/**
 * What a rule decides about one message: raise (or keep raised, or escalate), clear, or nothing.
 * Rules do not know whether their alert is open: the lifecycle (../lifecycle.ts) turns verdicts
 * into transitions, so a repeated raise is no duplicate and a clear of nothing is no event.
 * Hysteresis lives in the rules: raise and clear conditions differ (criteria.md's "clears when").
 */
export type Verdict =
  | { kind: 'raise'; at: number; severity: Severity; value?: number; threshold?: number; context?: Record<string, string | number | boolean> }
  | { kind: 'clear'; at: number; value?: number };

/** Everything a rule may read besides its own state and the message. Time comes from `msg.ts`. */
export interface RuleContext<R extends RuleId> {
  params: RuleParams<R>;
  device: RegisteredDevice | undefined;
  timeZone: string;
  day: MinuteRange;
  /** The device's reporting interval (its `intervalS`, else the catalogue default), ms. */
  intervalMs: number;
}

/**
 * One rule over one device's messages, in event-time order. `step` reads the message and the
 * rule's own small state object (which it may update: the engine owns it and snapshots it as
 * JSON), and returns its verdict. No clock, no I/O, no randomness: the same messages give the
 * same verdicts, live or replayed, in any process time zone.
 */
export interface RuleEvaluator<R extends RuleId, S> {
  rule: R;
  deviceType: DeviceType;
  /** Whether the rule applies to this device at all (a horn-ban meter, a construction site). */
  appliesTo?(device: RegisteredDevice | undefined): boolean;
  init(): S;
  step(state: S, msg: DeviceMessage, ctx: RuleContext<R>): Verdict | undefined;
}

export const raise = (at: number, severity: Severity, value?: number, threshold?: number, context?: Record<string, string | number | boolean>): Verdict => {
  const v: Verdict = { kind: 'raise', at, severity };
  if (value !== undefined) v.value = value;
  if (threshold !== undefined) v.threshold = threshold;
  if (context) v.context = context;
  return v;
};

export const clear = (at: number, value?: number): Verdict => (value === undefined ? { kind: 'clear', at } : { kind: 'clear', at, value });

export const round1 = (v: number) => Math.round(v * 10) / 10;

export const MINUTE = 60_000;

/** Numeric field of a message, or undefined. */
export function num(msg: DeviceMessage, field: string): number | undefined {
  const v = msg.fields[field];
  return typeof v === 'number' ? v : undefined;
}

export function isEvent(msg: DeviceMessage, type: string): boolean {
  return msg.channel === 'event' && msg.fields.type === type;
}
