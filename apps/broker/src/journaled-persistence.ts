import { Readable } from 'node:stream';
import qlobber from 'qlobber';
import { type SessionJournalOptions, type SessionJournalStats, SessionJournal } from './session-journal.js';
import { QLOBBER_OPTIONS, type StoredPacket, type StoredSubscription, copyPacket, packetKey } from './session-store.js';

/**
 * aedes' persistence (the interface of aedes-persistence 11, promise style, which aedes 1.x
 * calls) over greenwatch's session journal: state in memory, every change journaled with group
 * commit before aedes is told it is done. See ./session-journal.ts for the files and
 * ./session-store.ts for the state.
 *
 * Why not aedes-persistence-level: each of its operations is several LevelDB calls that race with
 * one another (a clear finds nothing, an update finds its packet gone), and, serialized to stop
 * that, it did one operation at a time: ~1,500–2,200 QoS 1 messages/s on this project's
 * benchmark machine against ~20,000–40,000 for aedes in memory (`npm run bench`).
 */
interface ClientLike {
  id: string;
}

/** An aedes packet as handed to the persistence (aedes' Packet; `cmd` may be missing on a will). */
type PacketLike = Omit<StoredPacket, 'cmd'> & { cmd?: string };

const DONE = Promise.resolve();

export class JournaledPersistence {
  private broker: { id: string } | undefined;

  private constructor(private readonly journal: SessionJournal) {}

  /** Opens the session files in `options.dir`, replaying what an earlier run left. */
  static open(options: SessionJournalOptions): JournaledPersistence {
    return new JournaledPersistence(SessionJournal.open(options));
  }

  get stats(): SessionJournalStats & { persistentSessions: number; queuedMessages: number; queuedBytes: number } {
    let queued = 0;
    for (const queue of this.journal.store.outgoing.values()) queued += queue.entries.size;
    return { ...this.journal.stats, persistentSessions: this.journal.store.subscriptions.size, queuedMessages: queued, queuedBytes: this.queuedBytes };
  }

  /** Approximate memory the persistent sessions' queues hold (they live in memory). */
  get queuedBytes(): number {
    return this.journal.store.queuedBytes;
  }

  /** Finishes writing what was asked for, then closes the files. */
  close(): Promise<void> {
    return this.journal.close();
  }

  // aedes checks that this is an async function.
  async setup(broker: { id: string }): Promise<void> {
    this.broker = broker;
  }

  async destroy(): Promise<void> {
    await this.close();
  }

  storeRetained(packet: PacketLike): Promise<void> {
    return this.journal.commit({ t: 'retain', packet: stored(packet) });
  }

  createRetainedStream(pattern: string): Readable {
    return this.createRetainedStreamCombi([pattern]);
  }

  createRetainedStreamCombi(patterns: string[]): Readable {
    const matcher = new qlobber.QlobberTrue(QLOBBER_OPTIONS);
    for (const pattern of patterns) matcher.add(pattern);
    const retained = [...this.journal.store.retained.values()].filter((packet) => matcher.test(packet.topic));
    return Readable.from(retained);
  }

  addSubscriptions(client: ClientLike, subs: StoredSubscription[]): Promise<void> {
    if (!subs.length) return DONE;
    // The same shape before and after a restart: absent options are left out, not undefined.
    const clean = subs.map(({ topic, qos, rh, rap, nl, subscriptionIdentifier }) => {
      const sub: StoredSubscription = { topic, qos };
      if (rh !== undefined) sub.rh = rh;
      if (rap !== undefined) sub.rap = rap;
      if (nl !== undefined) sub.nl = nl;
      if (subscriptionIdentifier !== undefined) sub.subscriptionIdentifier = subscriptionIdentifier;
      return sub;
    });
    return this.journal.commit({ t: 'subscribe', clientId: client.id, subs: clean });
  }

  removeSubscriptions(client: ClientLike, topics: string[]): Promise<void> {
    const stored = this.journal.store.subscriptions.get(client.id);
    if (!stored || !topics.some((topic) => stored.has(topic))) return DONE;
    return this.journal.commit({ t: 'unsubscribe', clientId: client.id, topics });
  }

  async subscriptionsByClient(client: ClientLike): Promise<StoredSubscription[]> {
    return [...(this.journal.store.subscriptions.get(client.id)?.values() ?? [])].map((sub) => ({ ...sub }));
  }

  async countOffline(): Promise<{ subsCount: number; clientsCount: number }> {
    return this.journal.store.offlineCounts;
  }

  async subscriptionsByTopic(topic: string): Promise<ReturnType<SessionJournal['store']['match']>> {
    return this.journal.store.match(topic);
  }

  cleanSubscriptions(client: ClientLike): Promise<void> {
    if (!this.journal.store.subscriptions.has(client.id)) return DONE;
    return this.journal.commit({ t: 'clearSubscriptions', clientId: client.id });
  }

  outgoingEnqueue(sub: { clientId: string }, packet: PacketLike): Promise<void> {
    return this.outgoingEnqueueCombi([sub], packet);
  }

  outgoingEnqueueCombi(subs: { clientId: string }[], packet: PacketLike): Promise<void> {
    // aedes calls this for every QoS > 0 message, also when no persistent session wants it.
    if (!subs.length) return DONE;
    return this.journal.commit({ t: 'enqueue', clientIds: subs.map((s) => s.clientId), packet: stored(packet) });
  }

  /**
   * A queued message is being sent with `packet.messageId`; for QoS 2 a PUBREL takes the place of
   * the PUBLISH with that identifier.
   */
  outgoingUpdate(client: ClientLike, packet: PacketLike): Promise<void> {
    const store = this.journal.store;
    const key = packetKey(packet);
    if ((packet.cmd ?? 'publish') === 'publish') {
      if (!store.hasQueued(client.id, key) || packet.messageId === undefined) return Promise.reject(new Error('no such packet'));
      // Not journaled: a restart forgets the packet ids of queued PUBLISHes anyway (SessionStore.forgetPacketIds).
      store.apply({ t: 'sent', clientId: client.id, key, messageId: packet.messageId });
      return DONE;
    }
    const target = packet.messageId === undefined ? undefined : store.keyOfPacketId(client.id, packet.messageId);
    if (!target) return Promise.reject(new Error('no such packet'));
    return this.journal.commit({ t: 'replace', clientId: client.id, key: target, packet: stored(packet) });
  }

  /** The subscriber acknowledged `packet.messageId`: resolves with the message it cleared, if any. */
  outgoingClearMessageId(client: ClientLike, packet: { messageId?: number }): Promise<StoredPacket | undefined> {
    const key = packet.messageId === undefined ? undefined : this.journal.store.keyOfPacketId(client.id, packet.messageId);
    const entry = key ? this.journal.store.outgoing.get(client.id)?.entries.get(key) : undefined;
    if (!key || !entry) return Promise.resolve(undefined);
    const cleared = copyPacket(entry);
    return this.journal.commit({ t: 'acked', clientId: client.id, key }).then(() => cleared);
  }

  outgoingStream(client: ClientLike): Readable {
    return Readable.from(this.journal.store.queuedFor(client.id).map((entry) => copyPacket(entry)));
  }

  incomingStorePacket(client: ClientLike, packet: PacketLike): Promise<void> {
    return this.journal.commit({ t: 'incoming', clientId: client.id, packet: stored(packet) });
  }

  async incomingGetPacket(client: ClientLike, packet: { messageId?: number }): Promise<StoredPacket> {
    const found = this.journal.store.incoming.get(client.id)?.get(packet.messageId ?? 0);
    if (!found) throw new Error('no such packet');
    return found;
  }

  incomingDelPacket(client: ClientLike, packet: { messageId?: number }): Promise<void> {
    const messageId = packet.messageId ?? 0;
    if (!this.journal.store.incoming.get(client.id)?.has(messageId)) return Promise.reject(new Error('no such packet'));
    return this.journal.commit({ t: 'incomingDone', clientId: client.id, messageId });
  }

  cleanIncoming(client: ClientLike): Promise<void> {
    if (!this.journal.store.incoming.has(client.id)) return DONE;
    return this.journal.commit({ t: 'clearIncoming', clientId: client.id });
  }

  putWill(client: ClientLike, packet: PacketLike): Promise<void> {
    const will = stored({ ...packet, brokerId: this.broker?.id ?? packet.brokerId, clientId: client.id });
    return this.journal.commit({ t: 'will', clientId: client.id, packet: will });
  }

  async getWill(client: ClientLike): Promise<StoredPacket | undefined> {
    return this.journal.store.wills.get(client.id);
  }

  delWill(client: ClientLike): Promise<StoredPacket | undefined> {
    const will = this.journal.store.wills.get(client.id);
    if (!will) return Promise.resolve(undefined);
    return this.journal.commit({ t: 'willDone', clientId: client.id }).then(() => will);
  }

  /** Wills of clients whose broker is not among `brokers` (the ones alive). */
  streamWill(brokers: Record<string, unknown> = {}): Readable {
    return Readable.from([...this.journal.store.wills.values()].filter((will) => !brokers[will.brokerId]));
  }

  getClientList(topic: string): Readable {
    const clients: string[] = [];
    for (const [clientId, subs] of this.journal.store.subscriptions) if (subs.has(topic)) clients.push(clientId);
    return Readable.from(clients);
  }
}

/** Our copy of an aedes packet (aedes may reuse or change its objects after the call). */
function stored(packet: PacketLike): StoredPacket {
  const copy = copyPacket(packet as StoredPacket);
  copy.cmd = packet.cmd ?? 'publish';
  if (!Buffer.isBuffer(copy.payload)) copy.payload = Buffer.from((copy.payload as unknown as string | undefined) ?? '');
  return copy;
}
