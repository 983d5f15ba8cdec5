import QlobberSub from 'qlobber/aedes/qlobber-sub.js';

/**
 * The broker's session state (subscriptions, retained messages, QoS 1/2 messages queued for each
 * persistent session, incoming QoS 2 packets, wills) in memory, changed only by `apply(op)`.
 *
 * Every change is an `Op`, a plain value: the live broker applies an op and appends it to the
 * journal (./journaled-persistence.ts); a restart applies the journal's ops again, through the
 * same `apply`, so the state after a replay is the state before the restart by construction.
 *
 * Unlike aedes' reference memory persistence, a persistent session's queue is indexed (by message
 * and by packet identifier), so a subscriber with a long backlog costs O(1) per message, not a
 * scan of its queue, and an acknowledgement clears the message that was last sent with that
 * packet identifier (after a restart, stale identifiers in the queue cannot be confused with live
 * ones: see `forgetPacketIds`).
 */

/** The fields of an aedes packet that the broker keeps. */
export interface StoredPacket {
  cmd: string;
  brokerId: string;
  brokerCounter: number;
  topic: string;
  payload: Buffer;
  qos: number;
  retain: boolean;
  dup: boolean;
  messageId?: number;
  /** Optional aedes/MQTT 5 fields, kept when present. */
  clientId?: string;
  nl?: boolean;
  properties?: Record<string, unknown>;
  messageExpiry?: number;
}

export interface StoredSubscription {
  topic: string;
  qos: number;
  rh?: number;
  rap?: boolean;
  nl?: boolean;
  subscriptionIdentifier?: number;
}

export type Op =
  | { t: 'retain'; packet: StoredPacket }
  | { t: 'subscribe'; clientId: string; subs: StoredSubscription[] }
  | { t: 'unsubscribe'; clientId: string; topics: string[] }
  | { t: 'clearSubscriptions'; clientId: string }
  /** A message queued for these persistent sessions (fresh: no packet identifier yet). */
  | { t: 'enqueue'; clientIds: string[]; packet: StoredPacket }
  /** A queued entry as it is, packet identifier included (snapshots). */
  | { t: 'queued'; clientId: string; key: string; packet: StoredPacket }
  /** A queued message was sent with this packet identifier. */
  | { t: 'sent'; clientId: string; key: string; messageId: number }
  /** A queued entry replaced in place (QoS 2: the PUBLISH by its PUBREL). */
  | { t: 'replace'; clientId: string; key: string; packet: StoredPacket }
  | { t: 'acked'; clientId: string; key: string }
  | { t: 'incoming'; clientId: string; packet: StoredPacket }
  | { t: 'incomingDone'; clientId: string; messageId: number }
  | { t: 'clearIncoming'; clientId: string }
  | { t: 'will'; clientId: string; packet: StoredPacket }
  | { t: 'willDone'; clientId: string };

export interface MatchedSubscription {
  clientId: string;
  topic: string;
  qos: number;
  rh?: number;
  rap?: boolean;
  nl?: boolean;
}

// As aedes' own matcher (mqemitter, matchEmptyLevels): `+` matches an empty level [MQTT-4.7.1-3]. Without
// it a message on gc/c//n-1/telemetry reached a live subscriber but was never queued for it: lost.
export const QLOBBER_OPTIONS = { wildcard_one: '+', wildcard_some: '#', separator: '/', match_empty_levels: true };

/** A persistent session's queue: entries in arrival order, and which entry holds which packet id. */
class OutgoingQueue {
  readonly entries = new Map<string, StoredPacket>();
  readonly byPacketId = new Map<number, string>();

  setPacketId(key: string, entry: StoredPacket, messageId: number | undefined): void {
    if (entry.messageId !== undefined && this.byPacketId.get(entry.messageId) === key) this.byPacketId.delete(entry.messageId);
    entry.messageId = messageId;
    if (messageId !== undefined) this.byPacketId.set(messageId, key);
  }

  delete(key: string): StoredPacket | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.messageId !== undefined && this.byPacketId.get(entry.messageId) === key) this.byPacketId.delete(entry.messageId);
    return entry;
  }
}

export function packetKey(packet: { brokerId: string; brokerCounter: number }): string {
  return `${packet.brokerId}:${packet.brokerCounter}`;
}

export function copyPacket(packet: StoredPacket, messageId: number | undefined = packet.messageId): StoredPacket {
  const copy: StoredPacket = {
    cmd: packet.cmd,
    brokerId: packet.brokerId,
    brokerCounter: packet.brokerCounter,
    topic: packet.topic,
    payload: packet.payload,
    qos: packet.qos,
    retain: packet.retain,
    dup: packet.dup,
    messageId,
  };
  if (packet.clientId !== undefined) copy.clientId = packet.clientId;
  if (packet.nl !== undefined) copy.nl = packet.nl;
  if (packet.properties !== undefined) copy.properties = packet.properties;
  if (packet.messageExpiry !== undefined) copy.messageExpiry = packet.messageExpiry;
  return copy;
}

/** Approximate memory of one queued entry: its payload, its topic, and the objects around them. */
export function queuedCost(packet: StoredPacket): number {
  return packet.payload.length + packet.topic.length * 2 + 240;
}

export class SessionStore {
  /** Approximate memory held by the persistent sessions' queues (see queuedCost). */
  queuedBytes = 0;
  readonly retained = new Map<string, StoredPacket>();
  readonly subscriptions = new Map<string, Map<string, StoredSubscription>>();
  readonly outgoing = new Map<string, OutgoingQueue>();
  readonly incoming = new Map<string, Map<number, StoredPacket>>();
  readonly wills = new Map<string, StoredPacket>();
  private readonly trie = new QlobberSub(QLOBBER_OPTIONS);

  apply(op: Op): void {
    switch (op.t) {
      case 'retain':
        if (op.packet.payload.length === 0) this.retained.delete(op.packet.topic);
        else this.retained.set(op.packet.topic, op.packet);
        return;
      case 'subscribe':
        return this.subscribe(op.clientId, op.subs);
      case 'unsubscribe':
        return this.unsubscribe(op.clientId, op.topics);
      case 'clearSubscriptions':
        return this.unsubscribe(op.clientId, [...(this.subscriptions.get(op.clientId)?.keys() ?? [])]);
      case 'enqueue': {
        const key = packetKey(op.packet);
        for (const clientId of op.clientIds) this.insert(this.queue(clientId, true), key, copyPacket(op.packet, undefined));
        return;
      }
      case 'queued': {
        const queue = this.queue(op.clientId, true);
        const entry = copyPacket(op.packet, undefined);
        this.insert(queue, op.key, entry);
        queue.setPacketId(op.key, entry, op.packet.messageId);
        return;
      }
      case 'sent': {
        const queue = this.queue(op.clientId, false);
        const entry = queue?.entries.get(op.key);
        if (queue && entry) queue.setPacketId(op.key, entry, op.messageId);
        return;
      }
      case 'replace': {
        const queue = this.queue(op.clientId, false);
        const entry = queue?.entries.get(op.key);
        if (!queue || !entry) return;
        queue.setPacketId(op.key, entry, undefined);
        const replacement = copyPacket(op.packet, undefined);
        this.insert(queue, op.key, replacement); // takes the replaced entry's cost off
        queue.setPacketId(op.key, replacement, op.packet.messageId);
        return;
      }
      case 'acked': {
        const queue = this.queue(op.clientId, false);
        const removed = queue?.delete(op.key);
        if (removed) this.queuedBytes -= queuedCost(removed);
        if (queue && queue.entries.size === 0) this.outgoing.delete(op.clientId);
        return;
      }
      case 'incoming': {
        let store = this.incoming.get(op.clientId);
        if (!store) this.incoming.set(op.clientId, (store = new Map()));
        store.set(op.packet.messageId ?? 0, op.packet);
        return;
      }
      case 'incomingDone':
        this.incoming.get(op.clientId)?.delete(op.messageId);
        return;
      case 'clearIncoming':
        this.incoming.delete(op.clientId);
        return;
      case 'will':
        this.wills.set(op.clientId, op.packet);
        return;
      case 'willDone':
        this.wills.delete(op.clientId);
        return;
    }
  }

  /** Persistent sessions subscribed to `topic` with QoS > 0. */
  match(topic: string): MatchedSubscription[] {
    return this.trie.match(topic) as MatchedSubscription[];
  }

  get offlineCounts(): { subsCount: number; clientsCount: number } {
    return { subsCount: this.trie.subscriptionsCount, clientsCount: this.subscriptions.size };
  }

  /** The queued entry a packet identifier was last given to, if any. */
  keyOfPacketId(clientId: string, messageId: number): string | undefined {
    return this.outgoing.get(clientId)?.byPacketId.get(messageId);
  }

  hasQueued(clientId: string, key: string): boolean {
    return this.outgoing.get(clientId)?.entries.has(key) ?? false;
  }

  queuedFor(clientId: string): StoredPacket[] {
    return [...(this.outgoing.get(clientId)?.entries.values() ?? [])];
  }

  /**
   * Drops the packet identifiers of queued PUBLISHes: they were given by a broker that has since
   * stopped, and its clients' identifiers restart at 1, so an old one could name a live message.
   * aedes gives each queued message a fresh identifier when it sends it again (QoS 1: the
   * subscriber may see a message twice, which MQTT allows). PUBRELs keep theirs: QoS 2 needs them.
   */
  forgetPacketIds(): void {
    for (const queue of this.outgoing.values()) {
      for (const [key, entry] of queue.entries) if (entry.cmd === 'publish') queue.setPacketId(key, entry, undefined);
    }
  }

  /** Ops that rebuild this state from nothing (a snapshot), in an order `apply` accepts. */
  *ops(): Generator<Op> {
    for (const packet of this.retained.values()) yield { t: 'retain', packet };
    for (const [clientId, subs] of this.subscriptions) yield { t: 'subscribe', clientId, subs: [...subs.values()] };
    for (const [clientId, queue] of this.outgoing) for (const [key, packet] of queue.entries) yield { t: 'queued', clientId, key, packet };
    for (const [clientId, store] of this.incoming) for (const packet of store.values()) yield { t: 'incoming', clientId, packet };
    for (const [clientId, packet] of this.wills) yield { t: 'will', clientId, packet };
  }

  private insert(queue: OutgoingQueue, key: string, entry: StoredPacket): void {
    const before = queue.entries.get(key);
    if (before) this.queuedBytes -= queuedCost(before);
    queue.entries.set(key, entry);
    this.queuedBytes += queuedCost(entry);
  }

  private queue(clientId: string, create: true): OutgoingQueue;
  private queue(clientId: string, create: false): OutgoingQueue | undefined;
  private queue(clientId: string, create: boolean): OutgoingQueue | undefined {
    let queue = this.outgoing.get(clientId);
    if (!queue && create) this.outgoing.set(clientId, (queue = new OutgoingQueue()));
    return queue;
  }

  private subscribe(clientId: string, subs: StoredSubscription[]): void {
    let stored = this.subscriptions.get(clientId);
    if (!stored) this.subscriptions.set(clientId, (stored = new Map()));
    for (const sub of subs) {
      const before = stored.get(sub.topic);
      if (sub.qos > 0) this.trie.add(sub.topic, { clientId, topic: sub.topic, qos: sub.qos, rh: sub.rh, rap: sub.rap, nl: sub.nl });
      else if (before && before.qos > 0) this.trie.remove(sub.topic, { clientId, topic: sub.topic });
      stored.set(sub.topic, sub);
    }
  }

  private unsubscribe(clientId: string, topics: string[]): void {
    const stored = this.subscriptions.get(clientId);
    if (!stored) return;
    for (const topic of topics) {
      const sub = stored.get(topic);
      if (!sub) continue;
      if (sub.qos > 0) this.trie.remove(topic, { clientId, topic });
      stored.delete(topic);
    }
    if (stored.size === 0) this.subscriptions.delete(clientId);
  }
}
