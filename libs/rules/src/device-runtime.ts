import type { CommunityConfig, DeviceMessage, DeviceType, RegisteredDevice } from '#contracts';
import type { AnyRuleParams } from './catalogue.js';
import type { MinuteRange } from './local-time.js';
import type { AlertBook, AlertSubject } from './lifecycle.js';
import { DEVICE_RULES } from './rules/index.js';
import type { RuleContext } from './rules/types.js';
import type { Alert, RuleId } from '#contracts';

/** What the engine keeps per device: a few numbers plus each rule's own small state. JSON as it is. */
export interface DeviceRuntime {
  id: string;
  type: DeviceType;
  compound?: string;
  /** Event time of the newest message judged, or of the community's start for a device not heard yet. */
  lastSeen: number;
  /** Event time of the newest message received (judged or still buffered): where a last will goes. */
  received?: number;
  /** The device's `seq` up to which every message has been received (when it sends `seq`). */
  seq?: number;
  /** While catching up: seqs received beyond a gap after `seq` (newer messages that overtook older ones). */
  ahead?: number[];
  /** The waste bin's category: configured, else reported. */
  category?: string;
  /** Rule id -> that rule's state. */
  state: Record<string, unknown>;
}

export interface DeviceScope {
  communityId: string;
  config: CommunityConfig;
  day: MinuteRange;
  book: AlertBook;
}

const DEFAULT_INTERVAL_MS: Partial<Record<DeviceType, number>> = { noise: 60_000, water_meter: 60_000 };

export function subjectOf(scope: DeviceScope, dev: DeviceRuntime, rule: RuleId, config: RegisteredDevice | undefined): AlertSubject {
  return { communityId: scope.communityId, rule, deviceId: dev.id, deviceType: dev.type, compoundId: dev.compound, label: config?.name ?? dev.id };
}

/** Runs every per-device rule of the device's type over one message (already in event-time order). */
export function runDeviceRules(scope: DeviceScope, dev: DeviceRuntime, config: RegisteredDevice | undefined, params: AnyRuleParams, msg: DeviceMessage, out: Alert[]): void {
  const intervalMs = config?.intervalS !== undefined ? config.intervalS * 1000 : (DEFAULT_INTERVAL_MS[dev.type] ?? params['device.offline'].intervalS * 1000);
  for (const evaluator of DEVICE_RULES[dev.type]) {
    const p = params[evaluator.rule];
    if (!p.enabled) continue;
    if (evaluator.appliesTo && !evaluator.appliesTo(config)) continue;
    let state = dev.state[evaluator.rule];
    if (state === undefined) state = dev.state[evaluator.rule] = evaluator.init();
    const ctx: RuleContext<RuleId> = { params: p as never, device: config, timeZone: scope.config.timezone, day: scope.day, intervalMs };
    const verdict = evaluator.step(state, msg, ctx as never);
    if (!verdict) continue;
    const alert = scope.book.apply(subjectOf(scope, dev, evaluator.rule, config), verdict);
    if (alert) out.push(alert);
  }
}
