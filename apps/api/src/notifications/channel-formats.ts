import type { AlertView, HistoryAction, NotificationChannel } from '#registry';
import { dingtalkSignedUrl, feishuSignature } from './signatures.js';

/** An alert event as a channel announces it. */
export interface NotifiedEvent {
  eventId: number;
  action: HistoryAction;
  at: number;
  by: string;
  comment?: string;
  alert: AlertView;
}

export interface OutgoingRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

const SEVERITY_ZH = { info: '提示', warning: '警告', critical: '严重' } as const;
const ACTION_ZH: Partial<Record<HistoryAction, string>> = { raised: '新告警', escalated: '告警升级', reopened: '告警重新打开', acknowledged: '已确认', resolved: '已解决' };

/** Title and body lines, Chinese first (the groups are Chinese), English after. */
export function describeEvent(e: NotifiedEvent): { title: string; lines: string[] } {
  const a = e.alert;
  const title = `【${SEVERITY_ZH[a.severity]}】${ACTION_ZH[e.action] ?? e.action}：${a.rule}`;
  const where = [`社区 ${a.communityId}`, a.compoundId ? `小区 ${a.compoundId}` : '', a.deviceId ? `设备 ${a.deviceId}` : ''].filter(Boolean).join('，');
  const lines = [
    a.message.zh,
    `${where}；第${a.criterion}条 · 规则 ${a.rule}`,
    e.action === 'resolved' || e.action === 'acknowledged' ? `${e.by}${e.comment ? `：${e.comment}` : ''}` : '',
    a.message.en,
    `alert ${a.alertId} · ${new Date(e.at).toISOString()}`,
  ].filter(Boolean);
  return { title, lines };
}

/** The HTTP request that delivers an event to a channel, in that channel's format. */
export function buildRequest(channel: NotificationChannel, e: NotifiedEvent, now: number): OutgoingRequest {
  const json = { 'content-type': 'application/json; charset=utf-8' };
  const { title, lines } = describeEvent(e);
  switch (channel.type) {
    case 'webhook':
      return {
        url: channel.url,
        headers: { ...json, 'x-greenwatch-event-id': String(e.eventId) },
        body: JSON.stringify({ eventId: e.eventId, action: e.action, at: e.at, by: e.by, ...(e.comment ? { comment: e.comment } : {}), alert: e.alert }),
      };
    case 'wecom':
      // WeCom group robot: markdown content at most 4096 bytes.
      return { url: channel.url, headers: json, body: JSON.stringify({ msgtype: 'markdown', markdown: { content: truncateBytes(`**${title}**\n${lines.map((l) => `> ${l}`).join('\n')}`, 4096) } }) };
    case 'dingtalk':
      return {
        url: channel.secret ? dingtalkSignedUrl(channel.url, channel.secret, now) : channel.url,
        headers: json,
        body: JSON.stringify({ msgtype: 'markdown', markdown: { title, text: `#### ${title}\n\n${lines.join('\n\n')}` } }),
      };
    case 'feishu': {
      const timestamp = Math.floor(now / 1000);
      const signed = channel.secret ? { timestamp: String(timestamp), sign: feishuSignature(channel.secret, timestamp) } : {};
      return { url: channel.url, headers: json, body: JSON.stringify({ ...signed, msg_type: 'text', content: { text: `${title}\n${lines.join('\n')}` } }) };
    }
  }
}

/**
 * Whether the channel took the message. The robots answer HTTP 200 with an error code in the
 * body when they refuse (bad signature, rate limit), so the body decides for them.
 */
export function accepted(type: NotificationChannel['type'], status: number, body: string): { ok: boolean; error?: string } {
  if (status < 200 || status >= 300) return { ok: false, error: `HTTP ${status}` };
  if (type === 'webhook') return { ok: true };
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return { ok: false, error: 'answer is not JSON' };
  }
  const code = type === 'feishu' ? (parsed.code ?? parsed.StatusCode) : parsed.errcode;
  if (code === 0) return { ok: true };
  const message = String(parsed.errmsg ?? parsed.msg ?? parsed.StatusMessage ?? '').slice(0, 200);
  return { ok: false, error: `refused: code ${String(code)}${message ? ` ${message}` : ''}` };
}

function truncateBytes(text: string, max: number): string {
  if (Buffer.byteLength(text) <= max) return text;
  let cut = text;
  while (Buffer.byteLength(cut) > max - 3) cut = cut.slice(0, -1);
  return `${cut}…`;
}
