import { type Channel, type DeviceType, ID_PATTERN, isChannel, isDeviceType } from './ids.js';

/**
 * MQTT topics of the v1 contract:
 *   gc/{communityId}/{deviceType}/{deviceId}/{telemetry|event|status}   devices
 *   gc/{communityId}/alerts                                             rules service
 *   gc/{communityId}/rejected                                           ingest
 */
export const TOPIC_ROOT = 'gc';

export interface DeviceAddress {
  communityId: string;
  deviceType: DeviceType;
  deviceId: string;
}

export interface DeviceTopic extends DeviceAddress {
  channel: Channel;
}

/** Subscriptions the ingest service holds (QoS 1). */
export const DEVICE_SUBSCRIPTIONS = {
  telemetry: `${TOPIC_ROOT}/+/+/+/telemetry`,
  event: `${TOPIC_ROOT}/+/+/+/event`,
  status: `${TOPIC_ROOT}/+/+/+/status`,
} as const;

/**
 * Where rejected copies go when the topic names no valid community. `_invalid` can never be a
 * community id (ids start with [a-z0-9]), so it never collides with a real community's topic.
 */
export const INVALID_COMMUNITY = '_invalid';

export function deviceTopic(address: DeviceAddress, channel: Channel): string {
  return `${TOPIC_ROOT}/${address.communityId}/${address.deviceType}/${address.deviceId}/${channel}`;
}

/** The topic tree a device may publish under: gc/{communityId}/{deviceType}/{deviceId}/# */
export function deviceTopicPrefix(address: DeviceAddress): string {
  return `${TOPIC_ROOT}/${address.communityId}/${address.deviceType}/${address.deviceId}/`;
}

export function alertsTopic(communityId: string): string {
  return `${TOPIC_ROOT}/${communityId}/alerts`;
}

export function rejectedTopic(communityId: string): string {
  return `${TOPIC_ROOT}/${communityId}/rejected`;
}

/** Where the api says a person handled an alert (AlertAck in alerts.ts); the rules subscribe. */
export function alertAcksTopic(communityId: string): string {
  return `${TOPIC_ROOT}/${communityId}/alerts/acks`;
}

export const ALERT_ACKS_SUBSCRIPTION = `${TOPIC_ROOT}/+/alerts/acks`;

export type TopicParseResult =
  | { ok: true; topic: DeviceTopic }
  | { ok: false; reason: string; communityId?: string };

/** Parses a device topic; the reason names the first segment that is wrong. */
export function parseDeviceTopic(topic: string): TopicParseResult {
  const parts = topic.split('/');
  if (parts.length !== 5 || parts[0] !== TOPIC_ROOT) {
    return { ok: false, reason: `topic: expected gc/{communityId}/{deviceType}/{deviceId}/{channel}, got ${quote(topic)}` };
  }
  const [, communityId, deviceType, deviceId, channel] = parts;
  if (!ID_PATTERN.test(communityId)) {
    return { ok: false, reason: `topic communityId: expected ${ID_PATTERN}, got ${quote(communityId)}` };
  }
  if (!isDeviceType(deviceType)) {
    return { ok: false, communityId, reason: `topic deviceType: expected one of noise, waste_bin, ev_charger, water_meter, gas_meter, access_gate, got ${quote(deviceType)}` };
  }
  if (!ID_PATTERN.test(deviceId)) {
    return { ok: false, communityId, reason: `topic deviceId: expected ${ID_PATTERN}, got ${quote(deviceId)}` };
  }
  if (!isChannel(channel)) {
    return { ok: false, communityId, reason: `topic channel: expected telemetry, event or status, got ${quote(channel)}` };
  }
  return { ok: true, topic: { communityId, deviceType, deviceId, channel } };
}

/** JSON-quotes a value for a message, cut to a readable length. */
export function quote(value: unknown, max = 60): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value); // JSON would say null
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * Whether a topic name matches a subscription filter, as MQTT 3.1.1 section 4.7 says:
 * `+` is exactly one level, which may be empty [MQTT-4.7.1-3]; `#` is the rest, including the
 * parent level itself [MQTT-4.7.1-2]; a filter starting with a wildcard does not match topics
 * starting with `$` [MQTT-4.7.2-1].
 */
export function topicMatchesFilter(topic: string, filter: string): boolean {
  if (topic.startsWith('$') && (filter.startsWith('+') || filter.startsWith('#'))) return false;
  const t = topic.split('/');
  const f = filter.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return t.length === f.length;
}
