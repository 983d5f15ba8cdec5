import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { type Server as HttpsServer, createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, type Server as NetServer, createServer } from 'node:net';
import { Duplex } from 'node:stream';
import { type Server as TlsServer, createServer as createTlsServer } from 'node:tls';
import { Aedes, type AedesOptions, type Client, type PublishPacket, type Subscription } from 'aedes';
import { WebSocketServer, createWebSocketStream } from 'ws';
import { type BrokerIdentity, canPublish, canSubscribe } from '#contracts';
import type { DeviceCredentialStore } from '#storage';
import { MetricsRegistry, withProcessMetrics, RateLimitedLog } from '#observability';
import { PacketSizeScanner, PacketTooLarge } from './packet-size-scanner.js';
import { TurnBatchedSocket } from './turn-batched-socket.js';
import { JournaledPersistence } from './journaled-persistence.js';
import { PubackGate } from './puback-gate.js';
import { KeyedTokenBuckets, TokenBucket } from './token-bucket.js';

export interface MqttBrokerOptions {
  port: number;
  bind: string;
  allowAnonymous: boolean;
  /** greenwatch's services log in with this account; it may use every topic. */
  service: { username: string; password: string };
  credentials: DeviceCredentialStore;
  /**
   * Where sessions, subscriptions, retained messages and QoS 1 messages in flight are kept (a
   * snapshot and a journal, ./session-journal.ts), so they survive a restart or a crash. Unset:
   * in memory only.
   */
  persistenceDir?: string;
  /** fdatasync each journal batch before acknowledging it: survive a power cut, not only a crash. */
  persistenceFsync?: boolean;
  /**
   * The persistent sessions' queues live in memory (and in the journal). Above this many bytes
   * (a consumer down for long), PUBACKs are held until the queues shrink: publishers wait, and the
   * broker neither runs out of memory nor drops anything. Default 512 MiB.
   */
  queueBudgetBytes?: number;
  /** Largest MQTT packet read from a client; a larger one closes its connection. */
  maxPacketBytes?: number;
  /** Messages per second one device may publish (burst: 10 s worth); services are not limited. */
  deviceMessagesPerSecond?: number;
  /** New connections per second from one IP address (burst: 10 s worth). */
  connectsPerSecond?: number;
  /** MQTTS and WSS listeners, with PEM certificate and key. */
  tls?: { port: number; wsPort: number; cert: Buffer; key: Buffer };
  metrics?: MetricsRegistry;
  log?: (level: 'log' | 'warn' | 'debug', line: string) => void;
}

// MQTT 3.1.1 CONNACK return codes [MQTT-3.2.2.3]
const BAD_USERNAME_OR_PASSWORD = 4;

/**
 * The embedded MQTT broker: aedes with greenwatch's access policy in its hooks, over TCP and
 * (when given an HTTP server) WebSocket. A client's error is logged, never a crash.
 */
export class MqttBroker {
  readonly aedes: Aedes;
  private tcp: NetServer | undefined;
  private tlsServer: TlsServer | undefined;
  private httpsServer: HttpsServer | undefined;
  private readonly webSockets: WebSocketServer[] = [];
  private readonly connects: KeyedTokenBuckets;
  private readonly deviceRates = new WeakMap<Client, TokenBucket>();
  private readonly limited;
  private readonly identities = new WeakMap<Client, BrokerIdentity>();
  /** With persistence: each connection's gate (by the stream aedes writes to, its `client.conn`). */
  private readonly gates = new WeakMap<object, PubackGate>();
  /** QoS 1 messages let through and not yet stored, with the gate holding their PUBACK. */
  private readonly unstored = new WeakMap<object, { gate: PubackGate; ticket: number }>();
  /** Stored messages whose PUBACK waits for room in the queues (queueBudgetBytes), oldest first. */
  private waitingForRoom: { gate: PubackGate; ticket: number }[] = [];
  private roomTimer: ReturnType<typeof setInterval> | undefined;
  private readonly metrics: MetricsRegistry;
  private readonly denied;
  private readonly published;
  private readonly clientErrors: RateLimitedLog;

  private constructor(
    aedes: Aedes,
    private readonly options: MqttBrokerOptions,
    private readonly persistence: JournaledPersistence | undefined,
  ) {
    this.aedes = aedes;
    this.metrics = options.metrics ?? withProcessMetrics(new MetricsRegistry({ service: 'broker' }), 'broker');
    this.denied = this.metrics.counter('greenwatch_broker_denied_total', 'Connections, publishes and subscriptions refused by the access policy');
    this.published = this.metrics.counter('greenwatch_broker_messages_in_total', 'Messages published by clients');
    this.limited = this.metrics.counter('greenwatch_broker_refused_total', 'Connections and messages refused by a limit (connection rate, message rate, packet size)');
    const connectRate = options.connectsPerSecond ?? 100;
    this.connects = new KeyedTokenBuckets(connectRate, connectRate * 10);
    this.metrics.gauge('greenwatch_broker_clients', 'Connected MQTT clients', () => this.aedes.connectedClients);
    if (persistence) {
      this.metrics.gauge('greenwatch_broker_queued_messages', 'Messages queued for persistent sessions (delivered, not yet acknowledged, or waiting for their consumer)', () => persistence.stats.queuedMessages);
      this.metrics.gauge('greenwatch_broker_queued_bytes', 'Approximate memory the persistent sessions\' queues hold', () => persistence.queuedBytes);
      this.metrics.gauge('greenwatch_broker_acks_held', 'PUBACKs held because the queues are over MQTT_QUEUE_BUDGET_MB', () => this.waitingForRoom.length);
      this.metrics.gauge('greenwatch_broker_journal_bytes', 'Size of the session journal since its last snapshot', () => persistence.stats.journalBytes);
    }
    this.clientErrors = new RateLimitedLog((line) => this.log('debug', line), { burst: 20, windowMs: 60_000 });
    aedes.on('clientError', (client, error) => this.clientErrors.log(`client ${client?.id ?? '?'}: ${error.message}`));
    aedes.on('connectionError', (_client, error) => this.clientErrors.log(`connection: ${error.message}`));
    aedes.on('publish', (_packet, client) => {
      if (client) this.published.inc();
    });
  }

  static async create(options: MqttBrokerOptions): Promise<MqttBroker> {
    let broker: MqttBroker | undefined;
    const hooks: AedesOptions = {
      preConnect: (client, _packet, done) => {
        disableCounterDedupe(client);
        done(null, true);
      },
      authenticate: (client, username, password, done) => void broker!.authenticate(client, username, password).then((ok) => done(ok ? null : authError(), ok), (error: unknown) => done(authError(String(error)), false)),
      authorizePublish: (client, packet, done) => broker!.authorizePublish(client, packet, done),
      authorizeSubscribe: (client, subscription, done) => broker!.authorizeSubscribe(client, subscription, done),
      // aedes calls this once a message is published: queued for the persistent sessions (on disk) and
      // delivered. Its own $SYS messages come before `broker` is set; they hold no PUBACK.
      published: (packet, _client, done) => {
        broker?.stored(packet);
        done(null);
      },
    };
    const persistence = options.persistenceDir ? JournaledPersistence.open({ dir: options.persistenceDir, fsync: options.persistenceFsync, log: (line) => options.log?.('warn', line) }) : undefined;
    if (persistence) hooks.persistence = persistence;
    const aedes = await Aedes.createBroker(hooks);
    broker = new MqttBroker(aedes, options, persistence);
    return broker;
  }

  get metricsRegistry(): MetricsRegistry {
    return this.metrics;
  }

  /** Starts the TCP listener; resolves with the port actually bound (MQTT_PORT=0 picks a free one). */
  async listen(): Promise<number> {
    const tcp = createServer((socket) => this.accept(socket, socket.remoteAddress));
    this.tcp = tcp;
    await listenOn(tcp, this.options.port, this.options.bind);
    const tls = this.options.tls;
    if (tls) {
      this.tlsServer = createTlsServer({ cert: tls.cert, key: tls.key }, (socket) => this.accept(socket, socket.remoteAddress));
      await listenOn(this.tlsServer, tls.port, this.options.bind);
      this.httpsServer = createHttpsServer({ cert: tls.cert, key: tls.key }, (_request, response) => response.writeHead(426).end('use a WebSocket (MQTT over WSS)\n'));
      this.attachWebSocket(this.httpsServer);
      await listenOn(this.httpsServer, tls.wsPort, this.options.bind);
    }
    return (tcp.address() as AddressInfo).port;
  }

  /** The ports bound by the TLS listeners, when there are some. */
  get tlsPorts(): { mqtts: number; wss: number } | undefined {
    if (!this.tlsServer || !this.httpsServer) return undefined;
    return { mqtts: (this.tlsServer.address() as AddressInfo).port, wss: (this.httpsServer.address() as AddressInfo).port };
  }

  /** Serves MQTT over WebSocket on an existing HTTP server, on any path (clients use /mqtt or /). */
  attachWebSocket(server: HttpServer | HttpsServer): void {
    const wss = new WebSocketServer({ server });
    this.webSockets.push(wss);
    wss.on('connection', (socket, request) => this.accept(createWebSocketStream(socket), request.socket.remoteAddress, request));
    wss.on('error', (error) => this.log('warn', `websocket: ${error.message}`));
  }

  /** Hands a new connection to aedes, through the connection-rate limit and the packet-size check. */
  private accept(stream: Duplex, address: string | undefined, request?: IncomingMessage): void {
    if (!this.connects.take(address ?? '')) {
      this.limited.inc({ what: 'connection_rate' });
      this.clientErrors.log(`refused a connection from ${address}: more than ${this.options.connectsPerSecond ?? 100}/s`);
      stream.destroy();
      return;
    }
    const scanner = new PacketSizeScanner(this.options.maxPacketBytes ?? 64 * 1024);
    // With sessions on disk, a PUBACK must not leave before its message is stored (./puback-gate.ts).
    let connection: TurnBatchedSocket | undefined;
    const stuck = (waitedMs: number) => {
      this.log('warn', `a QoS 1 message from ${address} was not stored within ${Math.round(waitedMs / 1000)} s: closing the connection (the client sends it again)`);
      connection?.destroy();
    };
    const gate = this.persistence ? new PubackGate(stream, stuck) : undefined;
    connection = new TurnBatchedSocket(stream, { inspect: (chunk) => scanner.scan(chunk), output: gate });
    connection.on('error', (error) => {
      if (!(error instanceof PacketTooLarge)) return;
      this.limited.inc({ what: 'packet_size' });
      this.clientErrors.log(`closed a connection from ${address}: a packet of ${error.declaredBytes} bytes`);
    });
    if (gate) this.gates.set(connection, gate);
    this.aedes.handle(connection, request);
  }

  /**
   * Stops in an order that loses nothing: no new connections, then aedes closes its clients,
   * then every persistence operation already asked for finishes (a message acknowledged to its
   * publisher is on disk), and only then the database closes.
   */
  async close(): Promise<void> {
    const closing = [this.tcp, this.tlsServer, this.httpsServer].map((server) => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));
    for (const wss of this.webSockets) wss.close();
    await new Promise<void>((resolve) => this.aedes.close(() => resolve()));
    await Promise.all(closing);
    if (this.roomTimer) clearInterval(this.roomTimer);
    await this.persistence?.close();
  }

  private async authenticate(client: Client, username: string | undefined, password: Buffer | undefined): Promise<boolean> {
    const service = this.options.service;
    if (username && service.username && username === service.username && password && service.password && safeEqual(password, service.password)) {
      this.identities.set(client, { kind: 'service' });
      return true;
    }
    if (username && password) {
      const devices = await this.options.credentials.verify(username, password.toString('utf8'));
      if (devices.length) {
        this.identities.set(client, { kind: 'device', devices });
        return true;
      }
    }
    if (this.options.allowAnonymous && username === undefined) {
      this.identities.set(client, { kind: 'anonymous' });
      return true;
    }
    if (this.options.allowAnonymous && username !== undefined && !password) {
      // Development brokers commonly accept any username without a password.
      this.identities.set(client, { kind: 'anonymous' });
      return true;
    }
    this.denied.inc({ what: 'connect' });
    this.log('warn', `refused connection of client ${client.id} (user ${JSON.stringify(username ?? null)}): bad username or password`);
    return false;
  }

  private authorizePublish(client: Client | null, packet: PublishPacket, done: (error?: Error | null) => void): void {
    if (!client) return done(null); // the broker's own messages ($SYS, wills)
    const topic = packet.topic;
    const identity = this.identities.get(client);
    if (identity?.kind === 'device' && !this.deviceRate(client).take()) {
      this.limited.inc({ what: 'message_rate' });
      this.clientErrors.log(`refused a publish of device client ${client.id}: more than ${this.options.deviceMessagesPerSecond ?? 1000} messages/s`);
      // MQTT 3.1.1 cannot refuse one PUBLISH: aedes closes the connection, and a QoS 1 device
      // sends the message again after reconnecting, so nothing is lost, only slowed.
      return done(new Error('message rate limit'));
    }
    if (identity && canPublish(identity, topic)) {
      this.holdPuback(client, packet);
      return done(null);
    }
    this.denied.inc({ what: 'publish' });
    this.log('warn', `refused publish of client ${client.id} on ${topic}: outside its own topic tree`);
    done(new Error(`not authorized to publish on ${topic}`));
  }

  /**
   * aedes writes a QoS 1 message's PUBACK as soon as this hook lets it through, before storing it:
   * the connection's gate holds what is written from now until `stored`. (QoS 2 needs no gate:
   * aedes stores the message before its PUBREC.)
   */
  private holdPuback(client: Client, packet: PublishPacket): void {
    const gate = packet.qos === 1 ? this.gates.get(client.conn) : undefined;
    if (gate) this.unstored.set(packet, { gate, ticket: gate.received() });
  }

  private stored(packet: object): void {
    const entry = this.unstored.get(packet);
    if (!entry) return;
    this.unstored.delete(packet);
    if (this.waitingForRoom.length || this.overBudget()) {
      entry.gate.storedButHeld(entry.ticket); // waiting for room is not being stuck (the gate's watchdog)
      this.waitingForRoom.push(entry);
      this.watchForRoom();
      return;
    }
    entry.gate.stored(entry.ticket);
  }

  private overBudget(): boolean {
    return (this.persistence?.queuedBytes ?? 0) > (this.options.queueBudgetBytes ?? 512 * 1024 * 1024);
  }

  /** While PUBACKs wait for room, looks every 100 ms whether the queues have shrunk under the budget. */
  private watchForRoom(): void {
    if (this.roomTimer) return;
    const mib = (bytes: number) => Math.round(bytes / 1048576);
    this.log('warn', `persistent sessions' queues hold ${mib(this.persistence?.queuedBytes ?? 0)} MiB, over MQTT_QUEUE_BUDGET_MB: holding PUBACKs (publishers wait) until their consumers catch up`);
    this.roomTimer = setInterval(() => {
      if (this.overBudget()) return;
      clearInterval(this.roomTimer);
      this.roomTimer = undefined;
      const waiting = this.waitingForRoom;
      this.waitingForRoom = [];
      for (const entry of waiting) entry.gate.stored(entry.ticket);
      this.log('warn', `persistent sessions' queues back under MQTT_QUEUE_BUDGET_MB (${mib(this.persistence?.queuedBytes ?? 0)} MiB): ${waiting.length} held PUBACKs sent`);
    }, 100);
    this.roomTimer.unref();
  }

  private deviceRate(client: Client): TokenBucket {
    let bucket = this.deviceRates.get(client);
    if (!bucket) {
      const rate = this.options.deviceMessagesPerSecond ?? 1000;
      bucket = new TokenBucket(rate, rate * 10);
      this.deviceRates.set(client, bucket);
    }
    return bucket;
  }

  private authorizeSubscribe(client: Client, subscription: Subscription, done: (error: Error | null, subscription?: Subscription | null) => void): void {
    const identity = this.identities.get(client);
    if (identity && canSubscribe(identity, subscription.topic)) return done(null, subscription);
    this.denied.inc({ what: 'subscribe' });
    this.log('warn', `refused subscription of client ${client.id} to ${subscription.topic}`);
    // [MQTT-3.9.3] a refused subscription is answered with 0x80 in SUBACK; aedes does that for null
    done(null, null);
  }

  private log(level: 'log' | 'warn' | 'debug', line: string): void {
    this.options.log?.(level, line);
  }
}

function authError(message = 'bad username or password'): Error & { returnCode: number } {
  return Object.assign(new Error(message), { returnCode: BAD_USERNAME_OR_PASSWORD });
}

function safeEqual(given: Buffer, expected: string): boolean {
  const want = Buffer.from(expected, 'utf8');
  return given.length === want.length && timingSafeEqual(given, want);
}

function listenOn(server: NetServer, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * aedes drops a message for a client when its broker counter is not above the highest counter
 * already delivered to that client (lib/client.js, dedupe()), to avoid sending one message twice
 * through overlapping subscriptions. But counters are given when a PUBLISH arrives and messages
 * are delivered when their persistence work is done, so with several publishers a later-numbered
 * message is often delivered first, and the earlier one is then dropped as a "duplicate" (and, for
 * a persistent session, cleared from its queue): real readings lost, a few in a thousand under
 * load (test/fuzz.integration.test.ts, test/faults.integration.test.ts). We turn that check off:
 * overlapping subscriptions may then deliver a message twice, which MQTT allows [MQTT-3.3.5-1]
 * and greenwatch's consumers absorb (storage and alerts are idempotent).
 */
const NEVER_SEEN: Record<string, number> = new Proxy(Object.create(null) as Record<string, number>, {
  get: () => 0,
  set: () => true,
});

function disableCounterDedupe(client: Client): void {
  (client as unknown as { duplicates: Record<string, number> }).duplicates = NEVER_SEEN;
}
