declare module 'aedes-persistence-level' {
  import type { Level } from 'level';
  /** aedes persistence (sessions, subscriptions, QoS 1/2 messages in flight, retained) on LevelDB. */
  export default function aedesPersistenceLevel(db: Level<string, unknown> | unknown): unknown;
}
