import type { MqttClient } from 'mqtt';

/**
 * Ends an mqtt.js client gracefully, but not forever. mqtt.js's own graceful end() waits until
 * the broker has answered everything the client sent (PUBACK, SUBACK), however long that takes,
 * and then for the socket to close: with the broker gone or frozen, a service's shutdown would
 * hang. Here the answers get `timeoutMs`, and the disconnect a second more; what is still
 * unanswered then is given up (the end is forced, the socket destroyed). Returns how many
 * publications were given up, for the caller to say so.
 */
export async function endClient(client: MqttClient, timeoutMs: number): Promise<number> {
  if (client.disconnected) return 0;
  // mqtt.js announces 'outgoingEmpty' only once it is disconnecting: look every 10 ms instead
  const pending = () => Object.values(client.outgoing) as { cmd?: string }[];
  for (const deadline = Date.now() + timeoutMs; pending().length > 0 && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 10));
  const left = pending();
  const ended = client.endAsync(left.length > 0);
  let timer: NodeJS.Timeout | undefined;
  const late = await Promise.race([ended.then(() => false), new Promise<boolean>((resolve) => (timer = setTimeout(resolve, 1_000, true)))]);
  clearTimeout(timer);
  if (late) {
    client.stream?.destroy(); // no FIN from a frozen peer: mqtt.js finishes its end on 'close'
    await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
  }
  return left.filter((o) => o.cmd === 'publish').length;
}
