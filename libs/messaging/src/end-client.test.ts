import assert from 'node:assert/strict';
import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { connectAsync } from 'mqtt';
import { endClient } from './end-client.js';

/**
 * endClient against a peer that freezes after the CONNACK (a hung broker, a network black hole):
 * it answers nothing more and never closes its side. mqtt.js's graceful end would wait for ever.
 */
describe('endClient with a frozen peer', () => {
  let server: Server;
  let port: number;
  const sockets: Socket[] = [];
  before(async () => {
    // allowHalfOpen: the peer does not answer the client's FIN with its own; the socket never closes from its side
    server = createServer({ allowHalfOpen: true }, (socket) => {
      sockets.push(socket);
      socket.once('data', () => socket.write(Buffer.from([0x20, 0x02, 0x00, 0x00]))); // CONNACK, accepted; then silence
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('gives up an unanswered publication after the timeout, and says how many', async () => {
    const client = await connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 });
    void client.publishAsync('t', 'x', { qos: 1 }).catch(() => undefined);
    const started = Date.now();
    assert.equal(await endClient(client, 200), 1);
    assert.equal(client.disconnected, true);
    assert.ok(Date.now() - started < 10_000);
  });

  it('ends even when the peer never closes the connection, with nothing pending', async () => {
    const client = await connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 });
    assert.equal(await endClient(client, 200), 0);
    assert.equal(client.disconnected, true);
  });
});
