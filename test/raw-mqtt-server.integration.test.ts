import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type MqttClient, connectAsync } from 'mqtt';
import { AckGate, RawMqttServer } from '#messaging';
import { MqttBroker } from '../apps/broker/src/mqtt-broker.js';
import { waitFor } from './support/index.js';

/**
 * Stopping a service on RawMqttServer (the rules, the ingest) through the real broker: a message
 * that arrives while it stops is not acknowledged, and that must not stall the client, or the
 * service's own publication in flight (an alert) never hears its PUBACK and the graceful
 * disconnect, which waits for it, never ends. That hung the rules' restart test in CI.
 */
describe('RawMqttServer stopping with a message it will not acknowledge', () => {
  let broker: MqttBroker;
  let url: string;
  let publisher: MqttClient;
  before(async () => {
    broker = await MqttBroker.create({ port: 0, bind: '127.0.0.1', allowAnonymous: true, service: { username: '', password: '' }, credentials: { verify: async () => [] } });
    url = `mqtt://127.0.0.1:${await broker.listen()}`;
    publisher = await connectAsync(url, { clientId: 'raw-stop-publisher', reconnectPeriod: 0 });
  });
  after(async () => {
    await publisher.endAsync();
    await broker.close();
  });

  /** A persistent-session server on t/#, its messages recorded; `stopping` withholds acknowledgements. */
  async function startServer(clientId: string) {
    const state = { stopping: false, received: [] as string[] };
    const server = new RawMqttServer({ url, clientId, clean: false, subscribeOptions: { qos: 1 }, reconnectPeriod: 0 });
    server.ackGate = new AckGate(() => false, () => state.stopping);
    server.addHandler('t/#', async (payload: Buffer) => void state.received.push(payload.toString()), true);
    await new Promise<void>((resolve, reject) => server.listen((error?: unknown) => (error ? reject(error as Error) : resolve())));
    await waitFor(async () => server.connectionState, (s) => s === 'connected', { timeoutMs: 10_000, intervalMs: 10 });
    return { server, state };
  }

  it('still reads the PUBACK of its own publication, ends gracefully, and gets the message again next time', async () => {
    const { server, state } = await startServer('raw-stop-service');
    state.stopping = true;
    await publisher.publishAsync('t/1', 'while stopping', { qos: 1 });
    await waitFor(async () => state.received.length, (n) => n === 1, { timeoutMs: 10_000, intervalMs: 10 });

    // its own QoS 1 publication after the withheld message: the PUBACK is read behind that message
    const acknowledged = server.client.publishAsync('out/alert', 'alert', { qos: 1 }).then(() => true);
    const verdict = await Promise.race([acknowledged, new Promise<boolean>((resolve) => setTimeout(resolve, 10_000, false))]);
    assert.equal(verdict, true, 'the broker\'s PUBACK for the service\'s own message was read');
    await server.close();
    assert.equal(server.client.disconnected, true);

    // not acknowledged, so not lost: the persistent session gets it again
    const again = await startServer('raw-stop-service');
    try {
      await waitFor(async () => again.state.received, (r) => r.includes('while stopping'), { timeoutMs: 10_000, intervalMs: 10 });
    } finally {
      await again.server.close();
    }
  });

  it('gives up what the broker never acknowledges after closeTimeoutMs, instead of waiting forever', async () => {
    const { server } = await startServer('raw-stop-lonely');
    const warnings: string[] = [];
    (server as unknown as { rawLogger: { warn(line: string): void } }).rawLogger.warn = (line: string) => void warnings.push(line);
    server.closeTimeoutMs = 200;
    // the connection is gone (as if the broker were): the QoS 1 publication waits for a PUBACK that cannot come
    server.client.stream.destroy();
    await waitFor(async () => server.client.connected, (c) => !c, { timeoutMs: 10_000, intervalMs: 10 });
    void server.client.publishAsync('out/alert', 'never acknowledged', { qos: 1 }).catch(() => undefined);
    await waitFor(async () => Object.keys(server.client.outgoing).length, (n) => n === 1, { timeoutMs: 10_000, intervalMs: 10 });
    await server.close();
    assert.equal(server.client.disconnected, true);
    assert.match(warnings.join('\n'), /1 published message\(s\) the broker has not acknowledged within 200 ms: given up/);
  });
});
