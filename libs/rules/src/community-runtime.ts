import type { Alert, CommunityConfig, DeviceMessage, DeviceRegistry } from '#contracts';
import { DEFAULT_PARAMS } from './catalogue.js';
import { type DeviceRuntime, type DeviceScope, runDeviceRules, subjectOf } from './device-runtime.js';
import { EventTimeBuffer } from './event-time-buffer.js';
import type { AlertBook, OpenAlert } from './lifecycle.js';
import { parseHourRange } from './local-time.js';
import { ParamsCache } from './params.js';
import { raise, clear } from './rules/types.js';

export interface CommunitySnapshot {
  id: string;
  startedAt: number | null;
  buffer: ReturnType<EventTimeBuffer<DeviceMessage>['toJSON']>;
  devices: DeviceRuntime[];
}

/**
 * One community's rules: its event-time buffer and clock, its devices' states, and the two rules
 * that span devices. device.offline runs on the community's event-time clock (the watermark: the
 * newest `ts` from any of its devices, less the lateness), never on the server's, so a replay at
 * any speed goes silent exactly as the live day did. waste.sorting_coverage is judged per compound
 * once the clock has run one offline timeout (every bin had its chance to report).
 */
export class CommunityRuntime {
  scope: DeviceScope;
  readonly devices = new Map<string, DeviceRuntime>();
  buffer: EventTimeBuffer<DeviceMessage>;
  private params: ParamsCache;
  private startedAt = -Infinity;
  private nextOfflineCheck = -Infinity;
  private coverageArmed = false;
  private readonly coverageDirty = new Set<string>();
  /**
   * Catching up after a restart (see RulesEngine.beginCatchUp): hold every message in the buffer,
   * judging nothing, until the broker's backlog is in; then until no device that numbers its
   * messages (`seq`) has a gap. Lateness is still judged against the watermark restored from the
   * snapshot, so what was judged before the restart is not judged twice.
   */
  private hold: 'none' | 'backlog' | 'gaps' = 'none';

  constructor(
    public config: CommunityConfig,
    private readonly registry: DeviceRegistry,
    book: AlertBook,
    latenessMs: number,
  ) {
    this.scope = { communityId: config.id, config, day: parseHourRange(config.periods.day), book };
    this.buffer = new EventTimeBuffer(latenessMs);
    this.params = new ParamsCache(config);
  }

  /**
   * The community's new configuration (its file changed; the registry holds it already): devices,
   * compounds, day period and rule overrides count from the next judgement on; the buffer, the
   * clock, the devices' states and the open alerts stay. A device added now is watched for
   * silence from now (the clock), as the configured devices were from the first message. A device
   * no longer configured is forgotten, and its open alerts clear (returned, to be published).
   */
  reconfigure(config: CommunityConfig): Alert[] {
    const removed = this.config.devices.filter((d) => !config.devices.some((n) => n.id === d.id)).map((d) => d.id);
    this.config = config;
    this.scope = { ...this.scope, config, day: parseHourRange(config.periods.day) };
    this.params = new ParamsCache(config);
    this.nextOfflineCheck = -Infinity; // timeouts may have changed
    for (const id of removed) {
      const dev = this.devices.get(id);
      if (dev?.compound) this.coverageDirty.add(dev.compound);
      this.devices.delete(id);
    }
    const out = this.clearOpen((open) => open.deviceId !== undefined && removed.includes(open.deviceId));
    for (const dev of this.devices.values()) {
      const configured = this.registry.device(config.id, dev.id);
      if (!configured) continue;
      dev.type = configured.type;
      if (configured.compound !== dev.compound) {
        if (dev.compound) this.coverageDirty.add(dev.compound); // the bin leaves that compound's coverage
        dev.compound = configured.compound;
      }
      if (configured.category !== undefined) dev.category = configured.category; // else what it reported stays
      if (dev.type === 'waste_bin' && dev.compound) this.coverageDirty.add(dev.compound);
    }
    if (Number.isFinite(this.startedAt)) {
      const now = Number.isFinite(this.buffer.clock) ? this.buffer.clock : this.startedAt;
      for (const d of config.devices) if (!this.devices.has(d.id)) this.device({ deviceId: d.id, deviceType: d.type }).lastSeen = now;
    }
    return out;
  }

  /** A telemetry or event message; returns false when it is late. */
  push(msg: DeviceMessage): boolean {
    const dev = this.device(msg);
    if (!(msg.ts <= (dev.received ?? -Infinity))) dev.received = msg.ts;
    if (msg.seq !== undefined) this.sequence(dev, msg.seq);
    return this.buffer.push(msg);
  }

  beginCatchUp(): void {
    this.hold = 'backlog';
    for (const d of this.devices.values()) d.ahead = [];
  }

  /** The backlog is in (the resume barrier came through it): release once the gaps are filled. */
  backlogIn(): void {
    if (this.hold === 'backlog') this.hold = 'gaps';
  }

  /** Stop waiting (no backlog to wait for, or it took too long): release now. */
  endCatchUp(): void {
    this.hold = 'none';
    for (const d of this.devices.values()) delete d.ahead;
  }

  get catchingUp(): boolean {
    return this.hold !== 'none';
  }

  /** Devices whose newer messages overtook older ones that have not arrived yet. */
  gaps(): string[] {
    return [...this.devices.values()].filter((d) => d.ahead?.length).map((d) => d.id);
  }

  private sequence(dev: DeviceRuntime, seq: number): void {
    if (dev.ahead === undefined || dev.seq === undefined) {
      // Normal running: in order on the device's own connection; gaps (a rejected message) are not waited for.
      if (!(seq <= (dev.seq ?? -1))) dev.seq = seq;
      return;
    }
    if (seq === dev.seq + 1) {
      dev.seq = seq;
      if (dev.ahead.length) {
        const ahead = new Set(dev.ahead);
        while (ahead.delete(dev.seq + 1)) dev.seq++;
        dev.ahead = [...ahead];
      }
    } else if (seq > dev.seq + 1) dev.ahead.push(seq);
    // seq <= dev.seq: a redelivery, or the device restarted its numbering: nothing to wait for
  }

  /** Judges what the watermark has passed, then silence and coverage at the watermark. */
  advance(out: Alert[], drain = false): void {
    if (this.hold === 'gaps' && this.gaps().length === 0) this.endCatchUp();
    if (this.hold !== 'none' && !drain) return;
    const released = drain ? this.buffer.drain() : this.buffer.release();
    if (!Number.isFinite(this.buffer.watermark)) return;
    if (!Number.isFinite(this.startedAt)) this.start(this.buffer.watermark);
    for (const msg of released) this.judge(msg, out);
    this.checkSilence(this.buffer.watermark, out);
    this.checkCoverage(this.buffer.watermark, out);
  }

  /**
   * A `status` message, judged at once at its own `ts`. A retained status is what the broker
   * replays on every subscribe: it informs a rules service that knows nothing yet, and is old news
   * to one whose community clock runs (live, or restored from a snapshot).
   */
  status(msg: DeviceMessage, retained: boolean, out: Alert[], untimed = false): void {
    const dev = this.device(msg);
    if (msg.seq !== undefined && !retained) this.sequence(dev, msg.seq); // a device numbers its statuses with the rest
    if (retained && Number.isFinite(this.startedAt)) return;
    const at = untimed ? this.untimedStatusAt(dev, msg) : msg.ts;
    const configured = this.registry.device(this.config.id, dev.id);
    if (!configured) return; // device.offline watches the configured devices only (a removed one is not missed)
    const subject = subjectOf(this.scope, dev, 'device.offline', configured);
    const p = this.paramsOf(dev)['device.offline'];
    if (!p.enabled) return;
    const alert = msg.fields.online === false ? this.scope.book.apply(subject, raise(at, offlineSeverity(dev), undefined, undefined, { reason: 'status' })) : this.heard(dev, at);
    if (alert) {
      out.push(alert);
      if (dev.type === 'waste_bin' && dev.compound) this.coverageDirty.add(dev.compound);
    }
  }

  /**
   * When a status without `ts` happened, in event time. The one that matters is the broker's last
   * will `{"online":false}`: its receive time is the server's clock, which means nothing in a
   * replay, and the community's clock at its arrival depends on how the broker interleaved it with
   * other devices' messages (at max speed, minutes of virtual time). MQTT publishes a will after
   * the last message of its connection [MQTT-3.1.2-8], so in the device's own order it comes right
   * after that message: the device is offline as of the newest `ts` received from it. The same
   * data then gives the same alert, live or replayed at any speed. An untimed `online: true` is
   * news of now: the community's clock. Without either, the receive time.
   */
  private untimedStatusAt(dev: DeviceRuntime, msg: DeviceMessage): number {
    if (msg.fields.online === false && dev.received !== undefined && Number.isFinite(dev.received)) return dev.received;
    return Number.isFinite(this.buffer.clock) ? this.buffer.clock : msg.ts;
  }

  private start(at: number): void {
    this.startedAt = at;
    for (const d of this.config.devices) this.device({ deviceId: d.id, deviceType: d.type } as DeviceMessage).lastSeen = at;
  }

  private device(msg: Pick<DeviceMessage, 'deviceId' | 'deviceType'>): DeviceRuntime {
    let dev = this.devices.get(msg.deviceId);
    if (!dev) {
      const config = this.registry.device(this.config.id, msg.deviceId);
      dev = { id: msg.deviceId, type: config?.type ?? msg.deviceType, lastSeen: -Infinity, state: {} };
      if (config?.compound) dev.compound = config.compound;
      if (config?.category) dev.category = config.category;
      this.devices.set(msg.deviceId, dev);
      if (dev.type === 'waste_bin' && dev.compound) this.coverageDirty.add(dev.compound);
    }
    return dev;
  }

  private paramsOf(dev: DeviceRuntime) {
    return this.params.for(this.registry.device(this.config.id, dev.id), dev.compound);
  }

  private judge(msg: DeviceMessage, out: Alert[]): void {
    const dev = this.device(msg);
    if (dev.type !== msg.deviceType) return; // ingest rejects these; the rules never judge them
    const heard = this.heard(dev, msg.ts);
    if (heard) out.push(heard);
    if (dev.type === 'waste_bin' && typeof msg.fields.category === 'string' && dev.category !== msg.fields.category && !this.registry.device(this.config.id, dev.id)?.category) {
      dev.category = msg.fields.category;
      if (dev.compound) this.coverageDirty.add(dev.compound);
    }
    runDeviceRules(this.scope, dev, this.registry.device(this.config.id, dev.id), this.paramsOf(dev), msg, out);
  }

  /** A message at `at` from the device: newest seen, and clears device.offline raised before it. */
  private heard(dev: DeviceRuntime, at: number): Alert | undefined {
    if (at > dev.lastSeen) dev.lastSeen = at;
    const p = this.paramsOf(dev)['device.offline'];
    this.nextOfflineCheck = Math.min(this.nextOfflineCheck, dev.lastSeen + p.intervalS * 1000 * p.missedIntervals);
    const open = this.scope.book.isOpen({ communityId: this.config.id, rule: 'device.offline', deviceId: dev.id });
    if (!open || at <= open.raisedAt) return undefined;
    if (dev.type === 'waste_bin' && dev.compound) this.coverageDirty.add(dev.compound);
    return this.scope.book.apply(subjectOf(this.scope, dev, 'device.offline', undefined), clear(at));
  }

  /** device.offline: no message for missedIntervals × intervalS of community event time. */
  private checkSilence(now: number, out: Alert[]): void {
    if (now < this.nextOfflineCheck) return;
    let next = Infinity;
    for (const dev of this.devices.values()) {
      const config = this.registry.device(this.config.id, dev.id);
      if (!config) continue; // not in the configuration (any more): not watched for silence
      const p = this.paramsOf(dev)['device.offline'];
      if (!p.enabled) continue;
      const timeoutMs = p.intervalS * 1000 * p.missedIntervals;
      const due = dev.lastSeen + timeoutMs;
      if (this.scope.book.isOpen({ communityId: this.config.id, rule: 'device.offline', deviceId: dev.id })) continue;
      if (now < due) {
        next = Math.min(next, due);
        continue;
      }
      const alert = this.scope.book.apply(subjectOf(this.scope, dev, 'device.offline', config), raise(due, offlineSeverity(dev), timeoutMs / 1000, timeoutMs / 1000, { reason: 'silence' }));
      if (alert) out.push(alert);
      if (dev.type === 'waste_bin' && dev.compound) this.coverageDirty.add(dev.compound);
    }
    this.nextOfflineCheck = next;
  }

  /** waste.sorting_coverage: every compound with bins has an online bin of each category. */
  private checkCoverage(now: number, out: Alert[]): void {
    const offline = DEFAULT_PARAMS['device.offline'];
    if (!this.coverageArmed) {
      if (now < this.startedAt + offline.intervalS * 1000 * offline.missedIntervals) return;
      this.coverageArmed = true;
      for (const d of this.devices.values()) if (d.type === 'waste_bin' && d.compound) this.coverageDirty.add(d.compound);
    }
    for (const compoundId of this.coverageDirty) {
      const p = this.params.for(undefined, compoundId)['waste.sorting_coverage'];
      if (!p.enabled) continue;
      const present = new Set<string>();
      let bins = 0;
      for (const d of this.devices.values()) {
        if (d.type !== 'waste_bin' || d.compound !== compoundId) continue;
        bins++;
        if (d.category && !this.scope.book.isOpen({ communityId: this.config.id, rule: 'device.offline', deviceId: d.id })) present.add(d.category);
      }
      // a compound judged is one with bins: when its last bin is gone (removed from the configuration), its alert clears
      const missing = bins ? p.categories.filter((c) => !present.has(c)) : [];
      const name = this.config.compounds.find((c) => c.id === compoundId)?.name ?? compoundId;
      const subject = { communityId: this.config.id, rule: 'waste.sorting_coverage' as const, compoundId, label: name };
      const verdict = missing.length ? raise(now, 'warning', missing.length, 0, { missing: missing.join(', ') }) : clear(now, 0);
      const alert = this.scope.book.apply(subject, verdict);
      if (alert) out.push(alert);
    }
    this.coverageDirty.clear();
  }

  snapshot(): CommunitySnapshot {
    return { id: this.config.id, startedAt: Number.isFinite(this.startedAt) ? this.startedAt : null, buffer: this.buffer.toJSON(), devices: [...this.devices.values()].map(({ ahead: _ahead, ...d }) => d) };
  }

  /**
   * Clears device.offline of devices not in the configuration: after a restore, those of devices
   * removed while the service was down (they are not watched any more, so nothing else would).
   */
  forgetUnconfiguredSilence(): Alert[] {
    return this.clearOpen((open) => open.rule === 'device.offline' && open.deviceId !== undefined && !this.registry.device(this.config.id, open.deviceId));
  }

  /** Clears this community's open alerts that `which` picks, at the community's clock (else when each was raised). */
  private clearOpen(which: (open: OpenAlert) => boolean): Alert[] {
    const out: Alert[] = [];
    for (const open of this.scope.book.list()) {
      if (open.communityId !== this.config.id || !which(open)) continue;
      const cleared = this.scope.book.clearById(open.alertId, Number.isFinite(this.buffer.clock) ? this.buffer.clock : open.raisedAt);
      if (cleared) out.push(cleared);
    }
    return out;
  }

  restore(s: CommunitySnapshot): void {
    this.buffer = EventTimeBuffer.from(this.buffer.latenessMs, s.buffer);
    this.startedAt = s.startedAt ?? -Infinity;
    for (const d of s.devices) {
      const { ahead: _ahead, ...saved } = d;
      this.devices.set(d.id, { ...saved, lastSeen: d.lastSeen ?? -Infinity });
    }
    this.nextOfflineCheck = -Infinity;
    this.coverageArmed = false;
  }
}

/** A silent security device is critical (criterion 12: the security system must be up); others warn. */
function offlineSeverity(dev: DeviceRuntime): 'warning' | 'critical' {
  return dev.type === 'access_gate' ? 'critical' : 'warning';
}
