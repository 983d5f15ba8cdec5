import { Duplex, type Writable } from 'node:stream';

/**
 * A socket (TCP, TLS or a WebSocket stream) whose writes of one turn of the event loop go out as
 * one: the socket is corked at the first write and uncorked on the next turn, or before closing
 * (a refusal written just before a close still goes out). A write is done as soon as the socket
 * has taken it, so a writer that waits for each write is not held to one write per turn. A
 * subscriber receiving thousands of messages a second then costs a write(2) per turn, not one per
 * packet (the broker's profile had a quarter of its time in socket writes before).
 *
 * `inspect` sees every chunk read, before it is passed on; if it throws, the connection is
 * destroyed with that error (the broker's packet-size check). `output`, when given, is where
 * writes go on their way to the socket (the broker's PubackGate); the socket is corked either way.
 */
export interface TurnBatchedSocketOptions {
  inspect?: (chunk: Buffer) => void;
  output?: Writable;
}

export class TurnBatchedSocket extends Duplex {
  private corked = false;
  private readonly output: Writable;

  constructor(
    private readonly socket: Duplex,
    { inspect, output }: TurnBatchedSocketOptions = {},
  ) {
    super({ allowHalfOpen: false });
    this.output = output ?? socket;
    socket.on('data', (chunk: Buffer) => {
      try {
        inspect?.(chunk);
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
    this._writev([{ chunk }], callback);
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    this.corkUntilNextTurn();
    let flowing = true;
    for (const { chunk } of chunks) flowing = this.output.write(chunk);
    this.flushIfFull();
    if (flowing) callback();
    else this.output.once('drain', () => callback());
  }

  /**
   * A turn's gathering stops at the socket's high-water mark: what is gathered goes to the kernel
   * now. Otherwise our own cork would look like backpressure (the socket says "full" at 16 KiB
   * while corked) and aedes would wait for a drain that only comes on the next turn — and a peer
   * waiting on us for the same reason could close the circle.
   */
  private flushIfFull(): void {
    if (this.corked && this.socket.writableLength >= this.socket.writableHighWaterMark) this.flush();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.flush();
    this.output.end();
    callback();
  }

  // aedes writes a refusal (CONNACK 5, DISCONNECT) and closes at once: what is gathered goes first.
  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.flush();
    if (this.output !== this.socket) this.output.destroy();
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
