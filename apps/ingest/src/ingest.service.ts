import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { type DeviceRegistry, INVALID_COMMUNITY, type Rejection, rejectedTopic, validateDeviceMessage } from '#contracts';
import { type MetricsRegistry, RateLimitedLog } from '#observability';
import { DurableLineWriter, InfluxStore, messageToLine } from '#storage';
import type { AckGate } from '#messaging';

export const DEVICE_REGISTRY = Symbol('DEVICE_REGISTRY');
export const METRICS = Symbol('METRICS');
export const REJECTED_PUBLISHER = Symbol('REJECTED_PUBLISHER');
export const ACK_GATE = Symbol('ACK_GATE');

/** Publishes a rejected copy; QoS 0 as the contract says. */
export type RejectedPublisher = (topic: string, payload: string) => void;

/** How much of a rejected payload its copy carries. */
const REJECTED_COPY_BYTES = 1024;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Turns device messages into points: validate against the contract, add the tags the community
 * configuration knows, and journal the line before the message is acknowledged (DurableLineWriter).
 * An invalid message is counted, logged (rate-limited) and published on gc/{communityId}/rejected;
 * it never disturbs its neighbours.
 */
@Injectable()
export class IngestService implements OnApplicationShutdown {
  private readonly logger = new Logger('Ingest');
  private readonly rejectedLog = new RateLimitedLog((line) => this.logger.warn(line), { burst: 20, windowMs: 60_000 });
  private readonly unregisteredSeen = new Set<string>();
  /** Lines the journal could not take (disk full): retried, their acknowledgements held. */
  private readonly unjournaled: string[] = [];
  private holding = false;
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly received;
  private readonly accepted;
  private readonly rejected;
  private readonly validationSeconds;

  constructor(
    @Inject(DEVICE_REGISTRY) private readonly registry: DeviceRegistry,
    private readonly durable: DurableLineWriter,
    @Inject(ACK_GATE) private readonly gate: AckGate,
    @Inject(REJECTED_PUBLISHER) private readonly publishRejected: RejectedPublisher,
    @Inject(METRICS) metrics: MetricsRegistry,
    store: InfluxStore,
  ) {
    this.received = metrics.counter('greenwatch_ingest_messages_in_total', 'Device messages received');
    this.accepted = metrics.counter('greenwatch_ingest_accepted_total', 'Device messages that passed validation and were journaled for InfluxDB');
    this.rejected = metrics.counter('greenwatch_ingest_rejected_total', 'Device messages rejected by validation');
    this.validationSeconds = metrics.counter('greenwatch_ingest_validation_seconds_total', 'Time spent validating and encoding messages');
    const writer = store.writer.stats;
    metrics.gauge('greenwatch_ingest_points_written_total', 'Points InfluxDB accepted', () => writer.written);
    metrics.gauge('greenwatch_ingest_points_refused_total', 'Points InfluxDB refused for good (logged with the first line)', () => writer.rejected);
    metrics.gauge('greenwatch_ingest_write_failures_total', 'Failed write attempts (retried)', () => writer.failedAttempts);
    metrics.gauge('greenwatch_ingest_write_latency_seconds', 'Duration of the last successful batch write', () => writer.lastBatchLatencyMs / 1000);
    metrics.gauge('greenwatch_ingest_backlog', 'Accepted readings not yet in InfluxDB (memory and disk)', () => durable.stats.backlog);
    metrics.gauge('greenwatch_ingest_journal_bytes', 'Size of the on-disk journal', () => durable.stats.journalBytes);
    metrics.gauge('greenwatch_ingest_configured_devices', 'Devices in the community configurations the ingest holds (they follow COMMUNITY_CONFIG_DIR)', () => registry.size);
    metrics.gauge('greenwatch_ingest_acks_held', 'Acknowledgements held back (disk budget spent or journal failing)', () => gate.heldCount);
    this.timer = setInterval(() => this.retryHeld(), 100);
    this.timer.unref();
  }

  /** True while acknowledgements must wait: the disk budget is spent or the journal fails. */
  get mustHold(): boolean {
    return this.unjournaled.length > 0 || this.durable.overBudget;
  }

  /** Handles one MQTT message. Never throws: a bad message is an answer, not a crash. */
  accept(topic: string, payload: Buffer, receivedAt = Date.now()): void {
    this.received.inc();
    const started = performance.now();
    const result = validateDeviceMessage(topic, payload, receivedAt);
    if (!result.ok) return this.reject(topic, payload, result, receivedAt);
    const message = result.message;
    const device = this.registry.device(message.communityId, message.deviceId);
    if (device && device.type !== message.deviceType) {
      return this.reject(topic, payload, { communityId: message.communityId, reason: `topic deviceType: expected ${device.type} (as configured for ${device.id}), got ${JSON.stringify(message.deviceType)}`, problems: [] }, receivedAt);
    }
    if (!device) this.noteUnregistered(message.communityId, message.deviceId);
    let line: string;
    try {
      line = messageToLine(message, device);
    } catch (error) {
      return this.reject(topic, payload, { communityId: message.communityId, reason: `cannot be stored: ${(error as Error).message}`, problems: [] }, receivedAt);
    }
    this.validationSeconds.inc({}, (performance.now() - started) / 1000);
    this.accepted.inc();
    this.journal(line);
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private journal(line: string): void {
    if (this.unjournaled.length) {
      this.unjournaled.push(line);
      return;
    }
    try {
      this.durable.accept(line);
    } catch (error) {
      this.unjournaled.push(line);
      this.logger.error(`cannot write the journal (${(error as Error).message}): holding acknowledgements until it works again; nothing is dropped`);
    }
  }

  /** Retries lines the journal refused, and releases held acknowledgements when allowed. */
  private retryHeld(): void {
    while (this.unjournaled.length) {
      try {
        this.durable.accept(this.unjournaled[0]);
        this.unjournaled.shift();
      } catch {
        break;
      }
    }
    const hold = this.mustHold;
    if (hold !== this.holding) {
      this.holding = hold;
      if (hold) this.logger.error(`the ingest journal is over its disk budget (${Math.round(this.durable.stats.journalBytes / 1048576)} MiB): no longer acknowledging, publishers and the broker keep the data until InfluxDB catches up`);
      else this.logger.warn('the ingest journal is under its disk budget again: acknowledging');
    }
    if (!hold) this.gate.resume();
  }

  private reject(topic: string, payload: Buffer, rejection: Rejection, receivedAt: number): void {
    this.rejected.inc();
    this.rejectedLog.log(`rejected message on ${JSON.stringify(topic)}: ${rejection.reason}`);
    const copy: Record<string, unknown> = { topic, reason: rejection.reason, problems: rejection.problems, receivedAt };
    const head = payload.subarray(0, REJECTED_COPY_BYTES);
    try {
      copy.payload = utf8.decode(head);
    } catch {
      copy.payload = head.toString('base64');
      copy.payloadEncoding = 'base64';
    }
    if (payload.byteLength > REJECTED_COPY_BYTES) copy.payloadTruncated = payload.byteLength;
    try {
      this.publishRejected(rejectedTopic(rejection.communityId ?? INVALID_COMMUNITY), JSON.stringify(copy));
    } catch (error) {
      this.logger.warn(`could not publish rejected copy: ${(error as Error).message}`);
    }
  }

  private noteUnregistered(communityId: string, deviceId: string): void {
    const key = `${communityId}/${deviceId}`;
    if (this.unregisteredSeen.has(key) || this.unregisteredSeen.size > 10_000) return;
    this.unregisteredSeen.add(key);
    this.logger.warn(`device ${key} is not in any community configuration: storing its data without compound/zone tags`);
  }
}
