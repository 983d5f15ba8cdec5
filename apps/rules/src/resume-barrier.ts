import { randomUUID } from 'node:crypto';
import { connectAsync } from 'mqtt';

/**
 * The resume barrier: how the rules service knows that the broker's backlog has arrived after a
 * restart. While the service is down, its persistent session collects what devices publish
 * (QoS 1). On reconnect aedes restores the session's subscriptions before it sends that queue
 * (lib/handlers/connect.js: restoreSubs, then emptyQueue), so live messages overtake queued ones,
 * against MQTT 3.1.1 4.6 ("ordered topic"). So just before the service connects, a short-lived
 * connection publishes a barrier on the service's own topic; the session subscribes to it, so the
 * barrier is queued behind everything queued before it, and its arrival means the backlog is in.
 * A nonce tells this start's barrier from an older one.
 */
export const RESUME_BARRIER_PATTERN = 'greenwatch/rules/+/resume';

export function resumeBarrierTopic(clientId: string): string {
  return `greenwatch/rules/${clientId}/resume`;
}

export interface ResumeBarrier {
  topic: string;
  nonce: string;
}

export function newResumeBarrier(clientId: string): ResumeBarrier {
  return { topic: resumeBarrierTopic(clientId), nonce: randomUUID() };
}

/** Publishes the barrier (QoS 1) on its own connection and waits for the broker's PUBACK. */
export async function publishResumeBarrier(barrier: ResumeBarrier, broker: { url: string; username?: string; password?: string }): Promise<void> {
  const client = await connectAsync(broker.url, { clientId: `${barrier.topic.split('/')[2]}-barrier-${barrier.nonce.slice(0, 8)}`, clean: true, reconnectPeriod: 0, connectTimeout: 10_000, username: broker.username, password: broker.password });
  try {
    await client.publishAsync(barrier.topic, JSON.stringify({ nonce: barrier.nonce }), { qos: 1 });
  } finally {
    await client.endAsync();
  }
}

/** Whether a message on the barrier pattern is this start's barrier. */
export function isOwnBarrier(barrier: ResumeBarrier, topic: string, payload: Buffer): boolean {
  if (topic !== barrier.topic) return false;
  try {
    return (JSON.parse(payload.toString('utf8')) as { nonce?: unknown }).nonce === barrier.nonce;
  } catch {
    return false;
  }
}
