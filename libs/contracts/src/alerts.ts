import { z } from 'zod';
import type { DeviceType } from './ids.js';
import { formatProblem, problemsFromZod } from './issues.js';

/**
 * Alerts of the v1 contract (shared/design/contract.md, "Alerts"): what the rules service
 * publishes on gc/{communityId}/alerts and stores in the `alert` measurement.
 *
 * Additions beside the contract's example, all optional for readers (flagged for the contract
 * notes): `compoundId` (the dedup key of coverage rules is rule + compound, so a coverage alert
 * has no deviceId) and `raisedAt` (when the alert was first raised: an escalation or a clear
 * carries the raise's time, so a reader can join them without the alertId).
 */

/** Rule ids of shared/design/criteria.md, "Rules, with their default thresholds". */
export const RULE_IDS = [
  'noise.zone_limit',
  'noise.night_burst',
  'noise.work_hours',
  'noise.horn_ban',
  'waste.overflow',
  'waste.not_emptied',
  'waste.fire',
  'waste.sorting_coverage',
  'security.gate_forced',
  'security.gate_held_open',
  'security.tailgating',
  'device.offline',
  'ev.fault',
  'ev.overtemp',
  'water.leak',
  'gas.leak',
] as const;
export type RuleId = (typeof RULE_IDS)[number];

export function isRuleId(value: unknown): value is RuleId {
  return typeof value === 'string' && (RULE_IDS as readonly string[]).includes(value);
}

/**
 * Rules whose alert clears only when a person handles it (criteria.md: security.gate_forced,
 * "acknowledged by a person"): the api tells the rules on gc/{c}/alerts/acks (AlertAck).
 */
export const RULES_CLEARED_BY_ACKNOWLEDGEMENT: ReadonlySet<RuleId> = new Set<RuleId>(['security.gate_forced']);

/**
 * A person acknowledged (or resolved) an alert in the api: published by the api on
 * gc/{communityId}/alerts/acks, QoS 1, for the rules in RULES_CLEARED_BY_ACKNOWLEDGEMENT.
 * (docs/contract-notes.md; not in the contract's topic table.)
 */
const ALERT_ACK_SCHEMA = z.object({
  alertId: z.string().min(1),
  rule: z.enum(RULE_IDS),
  action: z.enum(['acknowledged', 'resolved']),
  by: z.string(),
  /** When the person acted, epoch ms. */
  at: z.number().int(),
});
export type AlertAck = z.output<typeof ALERT_ACK_SCHEMA>;

/** An AlertAck from its JSON, or a reason it is not one (the first wrong field, as the contract's validation says it). */
export function parseAlertAck(payload: Buffer): { ok: true; ack: AlertAck } | { ok: false; reason: string } {
  let body: unknown;
  try {
    body = JSON.parse(payload.toString('utf8'));
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const result = ALERT_ACK_SCHEMA.safeParse(body, { reportInput: true });
  if (result.success) return { ok: true, ack: result.data };
  const [problem] = problemsFromZod(result.error.issues);
  return { ok: false, reason: problem.field === '(payload)' ? 'not an object' : formatProblem(problem) };
}

/** Severities, lowest first: an alert may escalate along this order, never back. */
export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export type AlertState = 'raised' | 'cleared';

export interface Alert {
  alertId: string;
  rule: RuleId;
  /** The Anhui green-community criterion number (criteria.md), as a string: "10", "5", "12", "6". */
  criterion: string;
  severity: Severity;
  state: AlertState;
  communityId: string;
  deviceId?: string;
  deviceType?: DeviceType;
  compoundId?: string;
  /** Event time of the transition, epoch ms. */
  at: number;
  /** Event time the alert was first raised, epoch ms. */
  raisedAt: number;
  value?: number;
  threshold?: number;
  message: { zh: string; en: string };
  context: Record<string, string | number | boolean>;
}

/** Criterion per rule (criteria.md's table; device.offline is 12 for security devices, else by type). */
export function criterionOf(rule: RuleId, deviceType?: DeviceType): string {
  switch (rule.split('.')[0]) {
    case 'noise':
      return '10';
    case 'waste':
      return '5';
    case 'security':
      return '12';
    case 'ev':
    case 'water':
    case 'gas':
      return '6';
    default:
      return deviceType ? (CRITERION_BY_TYPE[deviceType] ?? '12') : '12';
  }
}

const CRITERION_BY_TYPE: Record<DeviceType, string> = { noise: '10', waste_bin: '5', access_gate: '12', ev_charger: '6', water_meter: '6', gas_meter: '6' };

type Facts = { subject: string; value?: number; threshold?: number; context: Alert['context'] };
type Template = (f: Facts) => { zh: string; en: string };

const n = (v: number | undefined) => (v === undefined ? '?' : String(Math.round(v * 10) / 10));
const period = (f: Facts) => (f.context.period === 'night' ? { zh: '夜间', en: 'night' } : { zh: '昼间', en: 'day' });

/** Raise messages, Chinese and English, by rule. */
const RAISED: Record<RuleId, Template> = {
  'noise.zone_limit': (f) => ({
    zh: `${f.subject}：近1小时等效声级 ${n(f.value)} dB(A)，超过${f.context.zone}类声环境功能区${period(f).zh}限值 ${n(f.threshold)} dB(A)（GB 3096-2008）`,
    en: `${f.subject}: 1-hour Leq ${n(f.value)} dB(A) exceeds the GB 3096-2008 class ${f.context.zone} ${period(f).en} limit of ${n(f.threshold)} dB(A)`,
  }),
  'noise.night_burst': (f) => ({
    zh: `${f.subject}：夜间突发噪声最大声级 ${n(f.value)} dB(A)，超过限值 ${n(f.threshold)} dB(A)`,
    en: `${f.subject}: night burst Lmax ${n(f.value)} dB(A) above ${n(f.threshold)} dB(A) (night limit + 15)`,
  }),
  'noise.work_hours': (f) => ({
    zh: `${f.subject}：施工/装修噪声 ${n(f.value)} dB(A) 出现在允许作业时段以外`,
    en: `${f.subject}: construction or renovation noise of ${n(f.value)} dB(A) outside the permitted hours`,
  }),
  'noise.horn_ban': (f) => ({
    zh: `${f.subject}：禁鸣区内检测到鸣笛（10分钟内 ${n(f.value)} 次）`,
    en: `${f.subject}: horn in a horn-ban area (${n(f.value)} in 10 minutes)`,
  }),
  'waste.overflow': (f) => ({
    zh: `${f.subject}：垃圾桶满溢度 ${n(f.value)}%，${(f.value ?? 0) >= 95 ? '已满溢' : '需要清运'}`,
    en: `${f.subject}: bin ${n(f.value)}% full, ${(f.value ?? 0) >= 95 ? 'overflowing' : 'needs emptying'}`,
  }),
  'waste.not_emptied': (f) => ({
    zh: `${f.subject}：垃圾桶满溢度 ≥${n(f.threshold)}% 已超过 ${n(f.value)} 小时未清运`,
    en: `${f.subject}: bin at ≥${n(f.threshold)}% for ${n(f.value)} hours without being emptied`,
  }),
  'waste.fire': (f) => ({ zh: `${f.subject}：垃圾桶温度 ${n(f.value)}℃，疑似起火`, en: `${f.subject}: bin temperature ${n(f.value)} °C, possible fire` }),
  'waste.sorting_coverage': (f) => ({
    zh: `${f.subject}：缺少在线的分类垃圾桶（${String(f.context.missing)}）`,
    en: `${f.subject}: no online bin for ${String(f.context.missing)}`,
  }),
  'security.gate_forced': (f) => ({ zh: `${f.subject}：门禁被强行打开`, en: `${f.subject}: gate forced open` }),
  'security.gate_held_open': (f) => ({ zh: `${f.subject}：门禁常开 ${n(f.value)} 秒`, en: `${f.subject}: gate held open for ${n(f.value)} s` }),
  'security.tailgating': (f) => ({ zh: `${f.subject}：10分钟内尾随通行 ${n(f.value)} 次`, en: `${f.subject}: ${n(f.value)} tailgating events within 10 minutes` }),
  'device.offline': (f) => ({
    zh: `${f.subject}：设备离线${f.context.reason === 'status' ? '（设备上报离线）' : `（${n(f.value)} 秒无数据）`}`,
    en: `${f.subject}: device offline${f.context.reason === 'status' ? ' (reported offline)' : ` (no message for ${n(f.value)} s)`}`,
  }),
  'ev.fault': (f) => ({ zh: `${f.subject}：充电桩故障`, en: `${f.subject}: charger fault` }),
  'ev.overtemp': (f) => ({ zh: `${f.subject}：充电中温度 ${n(f.value)}℃，超过 ${n(f.threshold)}℃`, en: `${f.subject}: ${n(f.value)} °C while charging, above ${n(f.threshold)} °C` }),
  'water.leak': (f) => ({
    zh: f.context.reason === 'night_flow' ? `${f.subject}：凌晨2–5点持续有流量，疑似漏水` : `${f.subject}：流量 ${n(f.value)} L/min 持续10分钟，疑似爆管`,
    en: f.context.reason === 'night_flow' ? `${f.subject}: flow never stopped between 02:00 and 05:00, possible leak` : `${f.subject}: ${n(f.value)} L/min for 10 minutes, possible burst`,
  }),
  'gas.leak': (f) => ({ zh: `${f.subject}：甲烷浓度 ${n(f.value)}%LEL，疑似燃气泄漏`, en: `${f.subject}: methane at ${n(f.value)} %LEL, possible gas leak` }),
};

/** The alert's message in both languages; a clear says the condition has ended. */
export function alertMessage(rule: RuleId, state: AlertState, facts: Facts): { zh: string; en: string } {
  const raised = RAISED[rule](facts);
  if (state === 'raised') return raised;
  return { zh: `已解除：${raised.zh}`, en: `Cleared: ${raised.en}` };
}
