declare module 'qlobber' {
  interface QlobberOptions {
    separator?: string;
    wildcard_one?: string;
    wildcard_some?: string;
    match_empty_levels?: boolean;
  }
  /** Matches topics against the patterns added (MQTT wildcards with the options above). */
  class QlobberTrue {
    constructor(options?: QlobberOptions);
    add(topic: string): this;
    test(topic: string): boolean;
  }
  const qlobber: { QlobberTrue: typeof QlobberTrue };
  export default qlobber;
}

declare module 'qlobber/aedes/qlobber-sub.js' {
  interface Subscription {
    clientId: string;
    topic: string;
    qos?: number;
    rh?: number;
    rap?: boolean;
    nl?: boolean;
  }
  /** aedes' subscription trie: per topic filter, the clients subscribed and their options. */
  export default class QlobberSub {
    constructor(options?: { separator?: string; wildcard_one?: string; wildcard_some?: string; match_empty_levels?: boolean });
    readonly subscriptionsCount: number;
    add(topic: string, subscription: Subscription): this;
    remove(topic: string, subscription: Pick<Subscription, 'clientId' | 'topic'>): this;
    match(topic: string): Subscription[];
  }
}
