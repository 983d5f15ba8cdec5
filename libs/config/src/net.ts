import { readFileSync } from 'node:fs';
import { type AddressInfo, connect, createServer } from 'node:net';

/** Ports this process has handed out: never twice. */
const handedOut = new Set<number>();

/**
 * A TCP port on 127.0.0.1 that was free a moment ago, for a server started right after. It is
 * picked at random below the kernel's ephemeral range: a port the OS hands out (listen on 0) is
 * from that range, so between our check and the server's bind an outgoing connection of any
 * process could take it as its local port (a CI run failed on EADDRINUSE that way, with another
 * test file making thousands of MQTT connections). Falls back to the OS's choice.
 */
export async function freePort(): Promise<number> {
  const low = 10_000;
  const high = Math.max(low + 1_000, ephemeralLow() - 1);
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (handedOut.has(port)) continue;
    handedOut.add(port); // before the await: two calls at once never pick the same
    if ((await bindable(port)) === port) return port;
    handedOut.delete(port);
  }
  const port = (await bindable(0))!;
  handedOut.add(port);
  return port;
}

/** The bound port once listening on `port` (0: the OS's choice) worked, else undefined. */
function bindable(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const bound = (server.address() as AddressInfo).port;
      server.close(() => resolve(bound));
    });
  });
}

/** The first port of Linux's ephemeral range (32768 elsewhere or when unreadable). */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 11_000 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function portAnswers(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
