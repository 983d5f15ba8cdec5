import { Inject, Injectable, Logger } from '@nestjs/common';
import { type DeviceRegistry, INVALID_COMMUNITY, type Rejection, rejectedTopic, validateDeviceMessage } from '#contracts';
import { type MetricsRegistry, RateLimitedLog } from '#observability';
import { InfluxStore, messageToLine } from '#storage';

export const DEVICE_REGISTRY = Symbol('DEVICE_REGISTRY');
export const METRICS = Symbol('METRICS');
export const REJECTED_PUBLISHER = Symbol('REJECTED_PUBLISHER');

/** Publishes a rejected copy; QoS 0 as the contract says. */
export type RejectedPublisher = (topic: string, payload: string) => void;

/** How much of a rejected payload its copy carries. */
const REJECTED_COPY_BYTES = 1024;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Turns device messages into points: validate against the contract, add the tags the community
 * configuration knows, and hand the line to the writer. An invalid message is counted, logged
 * (rate-limited) and published on gc/{communityId}/rejected; it never disturbs its neighbours.
 */
@Injectable()
export class IngestService {
  private readonly logger = new Logger('Ingest');
  private readonly rejectedLog = new RateLimitedLog((line) => this.logger.warn(line), { burst: 20, windowMs: 60_000 });
  private readonly unregisteredSeen = new Set<string>();
  private readonly received;
  private readonly accepted;
  private readonly rejected;
  private readonly validationSeconds;

  constructor(
    @Inject(DEVICE_REGISTRY) private readonly registry: DeviceRegistry,
    private readonly store: InfluxStore,
    @Inject(REJECTED_PUBLISHER) private readonly publishRejected: RejectedPublisher,
    @Inject(METRICS) metrics: MetricsRegistry,
  ) {
    this.received = metrics.counter('greenwatch_ingest_messages_in_total', 'Device messages received');
    this.accepted = metrics.counter('greenwatch_ingest_accepted_total', 'Device messages that passed validation and were queued for InfluxDB');
    this.rejected = metrics.counter('greenwatch_ingest_rejected_total', 'Device messages rejected by validation');
    this.validationSeconds = metrics.counter('greenwatch_ingest_validation_seconds_total', 'Time spent validating and encoding messages');
    const writer = store.writer;
    metrics.gauge('greenwatch_ingest_points_written_total', 'Points InfluxDB accepted', () => writer.stats.written);
    metrics.gauge('greenwatch_ingest_points_refused_total', 'Points InfluxDB refused for good', () => writer.stats.rejected);
    metrics.gauge('greenwatch_ingest_write_backlog', 'Points waiting to be written to InfluxDB', () => writer.stats.backlog);
    metrics.gauge('greenwatch_ingest_write_failures_total', 'Failed write attempts (retried)', () => writer.stats.failedAttempts);
    metrics.gauge('greenwatch_ingest_write_latency_seconds', 'Duration of the last successful batch write', () => writer.stats.lastBatchLatencyMs / 1000);
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
    this.store.writer.enqueue(line);
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
