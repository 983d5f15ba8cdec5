import { Duplex } from 'node:stream';

/**
 * Reads the fixed headers of the MQTT packets going by and refuses a packet whose Remaining Length
 * is above the limit, before any of it is buffered (aedes' parser would otherwise collect up to
 * MQTT's 256 MB for one packet). [MQTT-2.2]: one byte of type and flags, then the Remaining
 * Length in 1–4 bytes of 7 bits.
 */
export class PacketSizeScanner {
  /** Bytes of the current packet's body still to go by. */
  private remaining = 0;
  /** Remaining Length bytes seen so far of the packet being started; -1: expecting its type byte. */
  private lengthBytes = -1;
  private length = 0;

  constructor(readonly maxPacketBytes: number) {}

  /** Scans the next bytes of the stream; throws when a packet is over the limit or malformed. */
  scan(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - offset);
        this.remaining -= take;
        offset += take;
        continue;
      }
      const byte = chunk[offset++];
      if (this.lengthBytes < 0) {
        this.lengthBytes = 0; // the type and flags byte
        this.length = 0;
        continue;
      }
      this.length += (byte & 0x7f) * 128 ** this.lengthBytes++;
      if (byte & 0x80) {
        if (this.lengthBytes === 4) throw new Error('malformed Remaining Length [MQTT-2.2.3]');
        continue;
      }
      this.lengthBytes = -1;
      if (this.length > this.maxPacketBytes) throw new PacketTooLarge(this.length, this.maxPacketBytes);
      this.remaining = this.length;
    }
  }
}

export class PacketTooLarge extends Error {
  constructor(
    readonly declaredBytes: number,
    limit: number,
  ) {
    super(`packet of ${declaredBytes} bytes is over the limit of ${limit}`);
  }
}

/**
 * What aedes reads from and writes to for one client: the socket (TCP, TLS or a WebSocket stream)
 * with the packet-size check on the way in and, on the way out, the writes of one turn of the
 * event loop gathered into one (the socket is corked at the first write and uncorked on the next
 * turn): a subscriber receiving thousands of messages a second costs a write(2) per turn, not
 * one per message.
 */
export class ClientConnection extends Duplex {
  private corked = false;

  constructor(
    private readonly socket: Duplex,
    private readonly scanner: PacketSizeScanner,
  ) {
    super({ allowHalfOpen: false });
    socket.on('data', (chunk: Buffer) => {
      try {
        scanner.scan(chunk);
      } catch (error) {
        this.destroy(error as Error);
        return;
      }
      if (!this.push(chunk)) socket.pause();
    });
    socket.on('end', () => this.push(null));
    socket.on('error', (error: Error) => this.destroy(error));
    socket.on('close', () => this.destroy());
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.corkUntilNextTurn();
    if (this.socket.write(chunk)) callback();
    else this.socket.once('drain', () => callback());
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    this.corkUntilNextTurn();
    let flowing = true;
    for (const { chunk } of chunks) flowing = this.socket.write(chunk);
    if (flowing) callback();
    else this.socket.once('drain', () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.flush();
    this.socket.end();
    callback();
  }

  // aedes writes a refusal (CONNACK 5, DISCONNECT) and closes at once: what is gathered goes first.
  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.flush();
    this.socket.destroy();
    callback(error);
  }

  private flush(): void {
    if (!this.corked) return;
    this.corked = false;
    this.socket.uncork();
  }

  private corkUntilNextTurn(): void {
    if (this.corked) return;
    this.corked = true;
    this.socket.cork();
    setImmediate(() => this.flush());
  }
}
