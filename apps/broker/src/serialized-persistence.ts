import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * aedes-persistence-level runs each operation as several LevelDB calls (read the queued packet,
 * then delete and write its keys). When aedes starts two operations on one packet at once —
 * delivering it (outgoingUpdate) while the subscriber's PUBACK clears it (outgoingClearMessageId),
 * or while a reconnect replays the queue — their steps interleave: a clear finds nothing and the
 * packet stays queued (delivered again after every restart), or an update finds its packet gone
 * and the delivery is dropped until the subscriber reconnects. Measured here: a few messages in a
 * thousand, after a broker restart (test/faults.integration.test.ts).
 *
 * This runs the mutating operations one after another, in the order aedes asked for them. A call
 * made from inside a running operation (outgoingEnqueueCombi calls outgoingEnqueue) runs at once.
 */
const SERIALIZED = [
  'outgoingEnqueue',
  'outgoingEnqueueCombi',
  'outgoingUpdate',
  'outgoingClearMessageId',
  'incomingStorePacket',
  'incomingGetPacket',
  'incomingDelPacket',
  'cleanIncoming',
  'addSubscriptions',
  'removeSubscriptions',
  'cleanSubscriptions',
  'storeRetained',
  'putWill',
  'getWill',
  'delWill',
] as const;

export interface SerializedPersistence {
  /** Resolves when every operation asked for so far has finished. */
  drain(): Promise<void>;
}

export function serializePersistence<T extends { asyncPersistence?: Record<string, unknown> }>(persistence: T): T & SerializedPersistence {
  const target = persistence.asyncPersistence;
  if (!target) throw new Error('expected an aedes CallBackPersistence with an asyncPersistence');
  const inside = new AsyncLocalStorage<true>();
  let tail: Promise<unknown> = Promise.resolve();
  for (const name of SERIALIZED) {
    const original = target[name];
    if (typeof original !== 'function') continue;
    const call = (original as (...args: unknown[]) => Promise<unknown>).bind(target);
    target[name] = (...args: unknown[]) => {
      if (inside.getStore()) return call(...args);
      const run = tail.then(() => inside.run(true, () => call(...args)));
      tail = run.catch(() => undefined);
      return run;
    };
  }
  return Object.assign(persistence, {
    async drain() {
      // Operations may queue more operations while they run: wait until the tail stops moving.
      for (let seen = tail; ; seen = tail) {
        await seen;
        if (seen === tail) return;
      }
    },
  });
}
