/**
 * Holds each MQTT acknowledgement (PUBACK) until the message's handler has finished, and all of
 * them while `hold()` says so (the disk budget is spent).
 *
 * mqtt.js emits 'message' and then calls `client.handleMessage(packet, callback)`; the PUBACK goes
 * out when the callback runs, and the next packet is read only after that. Nest's handler runs
 * from the 'message' event, possibly finishing after handleMessage was called, so the two meet
 * here, keyed by the packet object: whichever comes second releases the acknowledgement.
 */
export class AckGate {
  private readonly finished = new WeakSet<object>();
  private readonly waiting = new WeakMap<object, () => void>();
  private readonly held: (() => void)[] = [];
  heldCount = 0;

  constructor(private readonly hold: () => boolean = () => false) {}

  /** The handler of `packet` is done (the message is durable, or rejected). */
  finish(packet: object): void {
    const ack = this.waiting.get(packet);
    if (ack) {
      this.waiting.delete(packet);
      this.release(ack);
    } else {
      this.finished.add(packet);
    }
  }

  /** mqtt.js's handleMessage hook. */
  readonly handleMessage = (packet: object, ack: (error?: Error) => void): void => {
    if (this.finished.has(packet)) {
      this.finished.delete(packet);
      this.release(() => ack());
    } else {
      this.waiting.set(packet, () => ack());
    }
  };

  /** Sends the acknowledgements held back while `hold()` was true. */
  resume(): void {
    while (this.held.length && !this.hold()) {
      this.heldCount = this.held.length - 1;
      this.held.shift()!();
    }
  }

  private release(ack: () => void): void {
    if (this.held.length || this.hold()) {
      this.held.push(ack);
      this.heldCount = this.held.length;
    } else {
      ack();
    }
  }
}
