import type { Op, StoredPacket, StoredSubscription } from './session-store.js';

/**
 * One journal line per op: a JSON array whose first element names the op. Payloads are base64;
 * MQTT 5 properties (which may hold Buffers) go through JSON with Buffers tagged.
 *
 * The format is versioned by the snapshot's first line (see ./journaled-persistence.ts); change
 * a tag's meaning only with a new version.
 */
type PacketFields = [cmd: string, brokerId: string, brokerCounter: number, topic: string, payload: string, qos: number, retain: 0 | 1, dup: 0 | 1, messageId: number | null, extra?: string];

export function encodeOp(op: Op): string {
  switch (op.t) {
    case 'retain':
      return JSON.stringify(['R', encodePacket(op.packet)]);
    case 'subscribe':
      return JSON.stringify(['S', op.clientId, op.subs]);
    case 'unsubscribe':
      return JSON.stringify(['U', op.clientId, op.topics]);
    case 'clearSubscriptions':
      return JSON.stringify(['X', op.clientId]);
    case 'enqueue':
      return JSON.stringify(['E', op.clientIds, encodePacket(op.packet)]);
    case 'queued':
      return JSON.stringify(['Q', op.clientId, op.key, encodePacket(op.packet)]);
    case 'sent':
      return JSON.stringify(['M', op.clientId, op.key, op.messageId]);
    case 'replace':
      return JSON.stringify(['P', op.clientId, op.key, encodePacket(op.packet)]);
    case 'acked':
      return JSON.stringify(['A', op.clientId, op.key]);
    case 'incoming':
      return JSON.stringify(['I', op.clientId, encodePacket(op.packet)]);
    case 'incomingDone':
      return JSON.stringify(['D', op.clientId, op.messageId]);
    case 'clearIncoming':
      return JSON.stringify(['C', op.clientId]);
    case 'will':
      return JSON.stringify(['W', op.clientId, encodePacket(op.packet)]);
    case 'willDone':
      return JSON.stringify(['V', op.clientId]);
  }
}

/** Parses one line; throws on anything that is not an op this version wrote. */
export function decodeOp(line: string): Op {
  const value: unknown = JSON.parse(line);
  if (!Array.isArray(value) || typeof value[0] !== 'string') throw new Error('not an op');
  const [tag, a, b, c] = value as [string, unknown, unknown, unknown];
  switch (tag) {
    case 'R':
      return { t: 'retain', packet: decodePacket(a) };
    case 'S':
      return { t: 'subscribe', clientId: str(a), subs: array(b) as StoredSubscription[] };
    case 'U':
      return { t: 'unsubscribe', clientId: str(a), topics: array(b).map(str) };
    case 'X':
      return { t: 'clearSubscriptions', clientId: str(a) };
    case 'E':
      return { t: 'enqueue', clientIds: array(a).map(str), packet: decodePacket(b) };
    case 'Q':
      return { t: 'queued', clientId: str(a), key: str(b), packet: decodePacket(c) };
    case 'M':
      return { t: 'sent', clientId: str(a), key: str(b), messageId: num(c) };
    case 'P':
      return { t: 'replace', clientId: str(a), key: str(b), packet: decodePacket(c) };
    case 'A':
      return { t: 'acked', clientId: str(a), key: str(b) };
    case 'I':
      return { t: 'incoming', clientId: str(a), packet: decodePacket(b) };
    case 'D':
      return { t: 'incomingDone', clientId: str(a), messageId: num(b) };
    case 'C':
      return { t: 'clearIncoming', clientId: str(a) };
    case 'W':
      return { t: 'will', clientId: str(a), packet: decodePacket(b) };
    case 'V':
      return { t: 'willDone', clientId: str(a) };
    default:
      throw new Error(`unknown op ${JSON.stringify(tag)}`);
  }
}

function encodePacket(p: StoredPacket): PacketFields {
  const fields: PacketFields = [p.cmd, p.brokerId, p.brokerCounter, p.topic, p.payload.toString('base64'), p.qos, p.retain ? 1 : 0, p.dup ? 1 : 0, p.messageId ?? null];
  if (p.clientId !== undefined || p.nl !== undefined || p.properties !== undefined || p.messageExpiry !== undefined) {
    fields.push(JSON.stringify({ clientId: p.clientId, nl: p.nl, properties: p.properties, messageExpiry: p.messageExpiry }, tagBuffers));
  }
  return fields;
}

function decodePacket(value: unknown): StoredPacket {
  const f = array(value);
  if (f.length < 9) throw new Error('packet: too few fields');
  const packet: StoredPacket = {
    cmd: str(f[0]),
    brokerId: str(f[1]),
    brokerCounter: num(f[2]),
    topic: str(f[3]),
    payload: Buffer.from(str(f[4]), 'base64'),
    qos: num(f[5]),
    retain: f[6] === 1,
    dup: f[7] === 1,
    messageId: f[8] === null ? undefined : num(f[8]),
  };
  if (typeof f[9] === 'string') {
    const extra = JSON.parse(f[9], untagBuffers) as Pick<StoredPacket, 'clientId' | 'nl' | 'properties' | 'messageExpiry'>;
    if (extra.clientId !== undefined) packet.clientId = extra.clientId;
    if (extra.nl !== undefined) packet.nl = extra.nl;
    if (extra.properties !== undefined) packet.properties = extra.properties;
    if (extra.messageExpiry !== undefined) packet.messageExpiry = extra.messageExpiry;
  }
  return packet;
}

// JSON.stringify hands a Buffer to the replacer already as { type: 'Buffer', data: [...] }.
function tagBuffers(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && (value as { type?: unknown }).type === 'Buffer' && Array.isArray((value as { data?: unknown }).data)) {
    return { $base64: Buffer.from((value as { data: number[] }).data).toString('base64') };
  }
  return value;
}

function untagBuffers(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && typeof (value as { $base64?: unknown }).$base64 === 'string') return Buffer.from((value as { $base64: string }).$base64, 'base64');
  return value;
}

function str(value: unknown): string {
  if (typeof value !== 'string') throw new Error(`expected a string, got ${JSON.stringify(value)}`);
  return value;
}

function num(value: unknown): number {
  if (typeof value !== 'number') throw new Error(`expected a number, got ${JSON.stringify(value)}`);
  return value;
}

function array(value: unknown): unknown[] {
  if (!Array.isArray(value)) throw new Error(`expected an array, got ${JSON.stringify(value)}`);
  return value;
}
