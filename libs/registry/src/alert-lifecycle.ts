import { type Alert, RULES_CLEARED_BY_ACKNOWLEDGEMENT, severityRank } from '#contracts';

/**
 * The life of an alert as people see it (issue P4): open -> acknowledged (who, comment) ->
 * resolved (by the rule when it clears, or by a person with a comment), with an assignee and
 * comments, every step a history row. Pure functions: each returns the steps to record, and an
 * empty list when the input changes nothing (a redelivered rule message, an old one).
 */
export const ALERT_STATUSES = ['open', 'acknowledged', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

export const HISTORY_ACTIONS = ['raised', 'escalated', 'reopened', 'cleared', 'acknowledged', 'assigned', 'commented', 'resolved'] as const;
export type HistoryAction = (typeof HISTORY_ACTIONS)[number];

/** Who acts for the rules service in history rows. */
export const RULE_ACTOR = 'rule';

export interface AlertView {
  alertId: string;
  rule: Alert['rule'];
  criterion: string;
  severity: Alert['severity'];
  state: AlertStatus;
  /** The rule's own view: still raised, or its condition has cleared. */
  ruleState: Alert['state'];
  communityId: string;
  deviceId?: string;
  deviceType?: Alert['deviceType'];
  compoundId?: string;
  /** Event time of the first raise, and of the newest rule message applied. */
  raisedAt: number;
  ruleAt: number;
  clearedAt?: number;
  value?: number;
  threshold?: number;
  message: Alert['message'];
  context: Alert['context'];
  assignee?: string;
  acknowledged?: { by: string; at: number; comment?: string };
  resolved?: { by: string; at: number; comment?: string; automatic: boolean };
  updatedAt: number;
}

export interface AlertStep {
  action: HistoryAction;
  by: string;
  at: number;
  comment?: string;
  alert: AlertView;
}

export type LifecycleResult = { ok: true; steps: AlertStep[] } | { ok: false; code: 'conflict'; message: string };

/** A rule's `raised` or `cleared` message applied to the stored alert (or to none yet). */
export function applyRuleMessage(current: AlertView | undefined, message: Alert, now: number): AlertStep[] {
  const fromRule = (alert: AlertView, action: HistoryAction, comment?: string): AlertStep => ({ action, by: RULE_ACTOR, at: message.at, alert, ...(comment ? { comment } : {}) });
  const measured = { value: message.value, threshold: message.threshold, message: message.message, context: message.context, ruleAt: message.at, updatedAt: now };

  if (!current) {
    const raised = fromRule(newAlert(message, now), 'raised');
    if (message.state === 'raised') return [raised];
    // The raise never reached us (it predates this registry): record both steps.
    return [raised, fromRule(resolvedByRule(raised.alert, message, now), 'resolved', 'resolved by rule')];
  }
  if (message.at < current.ruleAt) return []; // older than what we have: a redelivery

  if (message.state === 'raised') {
    const escalates = severityRank(message.severity) > severityRank(current.severity);
    const again = current.ruleState === 'cleared' && message.at > current.ruleAt;
    if (!escalates && !again) return [];
    const reopened: AlertView = { ...current, ...measured, severity: escalates ? message.severity : current.severity, ruleState: 'raised', state: current.state === 'resolved' ? 'open' : current.state };
    delete reopened.clearedAt;
    if (current.state === 'resolved') {
      delete reopened.resolved;
      delete reopened.acknowledged;
    }
    return [fromRule(stripUndefined(reopened), escalates ? 'escalated' : 'reopened', escalates ? `${current.severity} -> ${message.severity}` : undefined)];
  }

  if (current.ruleState === 'cleared') return [];
  if (current.state === 'resolved') return [fromRule(stripUndefined({ ...current, ruleState: 'cleared', clearedAt: message.at, updatedAt: now }), 'cleared', 'condition ended')];
  // The rule cleared because a person acknowledged it (security.gate_forced): that person resolves it.
  if (current.state === 'acknowledged' && RULES_CLEARED_BY_ACKNOWLEDGEMENT.has(current.rule))
    return [fromRule(stripUndefined({ ...current, ruleState: 'cleared', clearedAt: message.at, updatedAt: now }), 'cleared', 'cleared by the acknowledgement')];
  return [fromRule(resolvedByRule(current, message, now), 'resolved', 'resolved by rule')];
}

export function acknowledge(current: AlertView, input: { by: string; comment?: string }, now: number): LifecycleResult {
  if (current.state !== 'open') return { ok: false, code: 'conflict', message: `alert ${current.alertId} is ${current.state}; only an open alert can be acknowledged` };
  const acknowledged = { by: input.by, at: now, ...(input.comment ? { comment: input.comment } : {}) };
  return step(current, { ...current, state: 'acknowledged', acknowledged, updatedAt: now }, 'acknowledged', input.by, now, input.comment);
}

export function resolve(current: AlertView, input: { by: string; comment: string }, now: number): LifecycleResult {
  if (current.state === 'resolved') return { ok: false, code: 'conflict', message: `alert ${current.alertId} is already resolved` };
  const resolved = { by: input.by, at: now, comment: input.comment, automatic: false };
  return step(current, { ...current, state: 'resolved', resolved, updatedAt: now }, 'resolved', input.by, now, input.comment);
}

export function assign(current: AlertView, input: { by: string; assignee: string; comment?: string }, now: number): LifecycleResult {
  if (current.state === 'resolved') return { ok: false, code: 'conflict', message: `alert ${current.alertId} is resolved` };
  return step(current, { ...current, assignee: input.assignee, updatedAt: now }, 'assigned', input.by, now, input.comment ?? `assigned to ${input.assignee}`);
}

export function addComment(current: AlertView, input: { by: string; comment: string }, now: number): LifecycleResult {
  return step(current, { ...current, updatedAt: now }, 'commented', input.by, now, input.comment);
}

function step(_current: AlertView, next: AlertView, action: HistoryAction, by: string, at: number, comment?: string): LifecycleResult {
  return { ok: true, steps: [{ action, by, at, alert: next, ...(comment ? { comment } : {}) }] };
}

function newAlert(m: Alert, now: number): AlertView {
  return stripUndefined({
    alertId: m.alertId,
    rule: m.rule,
    criterion: m.criterion,
    severity: m.severity,
    state: 'open',
    ruleState: 'raised',
    communityId: m.communityId,
    deviceId: m.deviceId,
    deviceType: m.deviceType,
    compoundId: m.compoundId,
    raisedAt: m.raisedAt ?? m.at,
    ruleAt: m.at,
    value: m.value,
    threshold: m.threshold,
    message: m.message,
    context: m.context,
    updatedAt: now,
  });
}

function resolvedByRule(current: AlertView, m: Alert, now: number): AlertView {
  return stripUndefined({ ...current, state: 'resolved', ruleState: 'cleared', clearedAt: m.at, ruleAt: m.at, value: m.value ?? current.value, resolved: { by: RULE_ACTOR, at: m.at, automatic: true, comment: m.message.en }, updatedAt: now });
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
