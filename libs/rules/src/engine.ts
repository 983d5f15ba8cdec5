import { type Alert, type CommunityConfig, type DeviceMessage, type DeviceRegistry, RULES_CLEARED_BY_ACKNOWLEDGEMENT, type RuleId, type Severity } from '#contracts';
import { type CommunitySnapshot, CommunityRuntime } from './community-runtime.js';
import { AlertBook, type OpenAlert, alertKey } from './lifecycle.js';

export interface RulesEngineOptions {
  /** How far behind its community's newest `ts` a message may arrive and still be judged. Default 2 minutes. */
  latenessMs?: number;
}

export const DEFAULT_LATENESS_MS = 120_000;

export interface EngineSnapshot {
  version: 1;
  latenessMs: number;
  communities: CommunitySnapshot[];
  alerts: OpenAlert[];
}

/** The newest stored point of one alert key (from the `alert` measurement). */
export interface StoredAlertState {
  communityId: string;
  rule: RuleId;
  deviceId?: string;
  compoundId?: string;
  alertId: string;
  state: 'raised' | 'cleared';
  severity: Severity;
  raisedAt: number;
  value?: number;
  threshold?: number;
}

export interface EngineStats {
  judged: number;
  late: number;
  unknownCommunity: number;
}

/**
 * All rules of all configured communities, as one synchronous state machine: messages in,
 * alert transitions out. No clock, no I/O: time is the messages' event time, so tests, replays
 * and the live service run the same code. Messages of communities without a configuration are
 * not judged (there is no time zone, zone class or threshold to judge them by).
 *
 * State and restart (see apps/rules/src/rule-state.store.ts for the files):
 * - `snapshot()` is plain JSON: every community's buffer, clock and device states, and the open
 *   alerts. The service writes it to DATA_DIR on shutdown (after the MQTT session has stopped
 *   taking messages, so every acknowledged message is in it) and every few seconds.
 * - `reconcile()` then applies the newest `alert` point of each key from InfluxDB: an alert stored
 *   as raised stays open (no second raise); one stored as cleared is closed. So even without a
 *   snapshot (lost DATA_DIR) a restart raises nothing twice; windows then refill from new data.
 */
export class RulesEngine {
  readonly book = new AlertBook();
  private readonly communities = new Map<string, CommunityRuntime>();
  /** Where a catch-up stands, for a community configured in the middle of one. */
  private catchUp: 'none' | 'backlog' | 'gaps' = 'none';
  readonly latenessMs: number;
  readonly stats: EngineStats = { judged: 0, late: 0, unknownCommunity: 0 };

  constructor(
    private readonly registry: DeviceRegistry,
    options: RulesEngineOptions = {},
  ) {
    this.latenessMs = options.latenessMs ?? DEFAULT_LATENESS_MS;
    for (const config of registry.allCommunities()) this.communities.set(config.id, new CommunityRuntime(config, registry, this.book, this.latenessMs));
  }

  /**
   * One validated device message. Returns the alerts it caused (raised, escalated, cleared),
   * possibly for earlier messages the watermark has now passed. `retained` marks a retained
   * delivery (a status replayed by the broker on subscribe); `untimed` a status whose payload had
   * no `ts` (the broker's last will: its `ts` is the receive time, see CommunityRuntime.status).
   */
  accept(msg: DeviceMessage, options: { retained?: boolean; untimed?: boolean } = {}): Alert[] {
    const community = this.communities.get(msg.communityId);
    if (!community) {
      this.stats.unknownCommunity++;
      return [];
    }
    const out: Alert[] = [];
    if (msg.channel === 'status') {
      community.status(msg, options.retained ?? false, out, options.untimed ?? false);
      return out;
    }
    if (!community.push(msg)) {
      this.stats.late++;
      return out;
    }
    this.stats.judged++;
    community.advance(out);
    return out;
  }

  /**
   * Catch-up after a restart. While the service was down the broker kept what devices published
   * (persistent session, QoS 1); on reconnect aedes delivers new messages as they come while it
   * is still sending that backlog, so a device's queued messages arrive after its newer live
   * ones, however long the downtime, and lateness alone would drop the whole backlog as late.
   * So from `beginCatchUp` nothing is judged: messages are buffered (lateness is still judged
   * against the restored watermark). `backlogIn` says the backlog up to the resume barrier has
   * arrived (see apps/rules/src/resume-barrier.ts); judging resumes as soon as no device that
   * numbers its messages has a `seq` gap (messages queued while the barrier was on its way, whose
   * newer live successors overtook them). `endCatchUp` stops waiting at once (no session was
   * resumed, or the backlog took too long). Judged in `ts` order, the backlog and the live
   * messages give the alerts an uninterrupted run gives.
   */
  beginCatchUp(): void {
    this.catchUp = 'backlog';
    for (const c of this.communities.values()) c.beginCatchUp();
  }

  backlogIn(): Alert[] {
    if (this.catchUp === 'backlog') this.catchUp = 'gaps';
    for (const c of this.communities.values()) c.backlogIn();
    return this.advanceAll();
  }

  endCatchUp(): Alert[] {
    this.catchUp = 'none';
    for (const c of this.communities.values()) c.endCatchUp();
    return this.advanceAll();
  }

  /**
   * A community's new or changed configuration (CommunityConfigFollower): into the registry, and
   * judged by it from the next message on; a changed community keeps its state and open alerts
   * (CommunityRuntime.reconfigure), a new one starts empty (in the catch-up, if one is running).
   * Returns the clears of the open alerts of devices no longer configured.
   */
  configure(config: CommunityConfig): Alert[] {
    this.registry.put(config);
    const runtime = this.communities.get(config.id);
    if (runtime) return runtime.reconfigure(config);
    const fresh = new CommunityRuntime(config, this.registry, this.book, this.latenessMs);
    if (this.catchUp !== 'none') fresh.beginCatchUp();
    if (this.catchUp === 'gaps') fresh.backlogIn();
    this.communities.set(config.id, fresh);
    return [];
  }

  get catchingUp(): boolean {
    for (const c of this.communities.values()) if (c.catchingUp) return true;
    return false;
  }

  /** Devices with a `seq` gap, by community (what a catch-up is waiting for). */
  gaps(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [id, c] of this.communities) {
      const g = c.gaps();
      if (g.length) out[id] = g;
    }
    return out;
  }

  private advanceAll(): Alert[] {
    const out: Alert[] = [];
    for (const c of this.communities.values()) c.advance(out);
    return out;
  }

  /** Judges everything still buffered, as if the clock had run past it (the end of a replay). */
  flush(): Alert[] {
    const out: Alert[] = [];
    for (const c of this.communities.values()) c.advance(out, true);
    return out;
  }

  /**
   * A person acknowledged an alert: rules that clear only so (RULES_CLEARED_BY_ACKNOWLEDGEMENT:
   * security.gate_forced) clear now, so that the next forced opening raises a new alert. Any
   * other rule clears by its own condition: acknowledging a noise alert does not end the noise.
   */
  acknowledge(alertId: string): Alert[] {
    const open = this.book.list().find((a) => a.alertId === alertId);
    if (!open || !RULES_CLEARED_BY_ACKNOWLEDGEMENT.has(open.rule)) return [];
    const clock = this.communities.get(open.communityId)?.buffer.clock ?? open.raisedAt;
    const alert = this.book.clearById(alertId, Number.isFinite(clock) ? clock : open.raisedAt);
    return alert ? [alert] : [];
  }

  /** The community's event-time clock (newest `ts` seen), or undefined before its first message. */
  clockOf(communityId: string): number | undefined {
    const clock = this.communities.get(communityId)?.buffer.clock;
    return clock !== undefined && Number.isFinite(clock) ? clock : undefined;
  }

  /** Devices in the configurations the engine judges by. */
  get configuredDevices(): number {
    return this.registry.size;
  }

  openAlerts(): OpenAlert[] {
    return this.book.list();
  }

  /** Messages waiting for the watermark. */
  get buffered(): number {
    let n = 0;
    for (const c of this.communities.values()) n += c.buffer.size;
    return n;
  }

  snapshot(): EngineSnapshot {
    return { version: 1, latenessMs: this.latenessMs, communities: [...this.communities.values()].map((c) => c.snapshot()), alerts: this.book.list() };
  }

  restore(snapshot: EngineSnapshot): void {
    if (snapshot.version !== 1) throw new Error(`rule state snapshot version ${String(snapshot.version)} is not 1`);
    for (const s of snapshot.communities) this.communities.get(s.id)?.restore(s);
    this.book.restore(snapshot.alerts.filter((a) => this.communities.has(a.communityId)));
  }

  /** After restore and reconcile: the clears of device.offline for devices no longer configured (to publish). */
  forgetUnconfiguredSilence(): Alert[] {
    return [...this.communities.values()].flatMap((c) => c.forgetUnconfiguredSilence());
  }

  /** Makes the open alerts agree with the newest stored point of each key (see the class comment). */
  reconcile(stored: Iterable<StoredAlertState>): { reopened: number; closed: number } {
    let reopened = 0;
    let closed = 0;
    for (const s of stored) {
      if (!this.communities.has(s.communityId)) continue;
      const key = alertKey(s);
      const open = this.book.isOpen(s);
      if (s.state === 'cleared') {
        if (open && open.alertId === s.alertId) {
          this.book.forget(key);
          closed++;
        }
        continue;
      }
      if (open && open.alertId === s.alertId) continue;
      if (open && open.raisedAt > s.raisedAt) continue; // the snapshot knows a newer raise than the store
      const device = s.deviceId === undefined ? undefined : this.registry.device(s.communityId, s.deviceId);
      const compound = this.registry.community(s.communityId)?.compounds.find((c) => c.id === s.compoundId);
      this.book.restore([
        {
          alertId: s.alertId,
          rule: s.rule,
          communityId: s.communityId,
          deviceId: s.deviceId,
          deviceType: device?.type,
          compoundId: s.compoundId ?? device?.compound,
          label: device?.name ?? s.deviceId ?? compound?.name ?? s.compoundId ?? '',
          severity: s.severity,
          raisedAt: s.raisedAt,
          value: s.value,
          threshold: s.threshold,
          context: {},
        },
      ]);
      reopened++;
    }
    return { reopened, closed };
  }
}
