/**
 * Holds each MQTT acknowledgement (PUBACK) until the message's handler has finished, and all of
 * them while `hold()` says so (the disk budget is spent); sends none at all while `withhold()` says
 * so (the service is stopping).
 *
 * mqtt.js emits 'message' and then calls `client.handleMessage(packet, callback)`; the PUBACK goes
 * out when the callback runs, and the next packet is read only after that. Nest's handler runs
 * from the 'message' event, possibly finishing after handleMessage was called, so the two meet
 * here, keyed by the packet object: whichever comes second releases the acknowledgement.
 *
 * Holding and withholding differ in what the client reads meanwhile. A held acknowledgement stops
 * the reading too, which is the backpressure `hold` is for. A withheld one is answered with an
 * error, which mqtt.js takes as "no PUBACK" and reads on: a stopping service must still see the
 * broker's PUBACKs for what it publishes itself (an alert in flight), or its graceful disconnect,
 * which waits for them, would wait forever behind a message it will never acknowledge. The broker
 * delivers a withheld message again to the persistent session's next connection.
 */
export class AckGate {
  private readonly finished = new WeakSet<object>();
  private readonly waiting = new WeakMap<object, Ack>();
  private readonly held: Ack[] = [];
  heldCount = 0;

  constructor(
    private readonly hold: () => boolean = () => false,
    private readonly withhold: () => boolean = () => false,
  ) {}

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
  readonly handleMessage = (packet: object, ack: Ack): void => {
    if (this.finished.has(packet)) {
      this.finished.delete(packet);
      this.release(ack);
    } else {
      this.waiting.set(packet, ack);
    }
  };

  /** Sends the acknowledgements held back while `hold()` was true. */
  resume(): void {
    while (this.held.length && !this.hold()) {
      this.heldCount = this.held.length - 1;
      this.release(this.held.shift()!, true);
    }
  }

  /** Stopping: the held acknowledgements are not sent at all (the broker delivers those messages again). */
  withholdHeld(): void {
    for (const ack of this.held.splice(0)) ack(WITHHELD);
    this.heldCount = 0;
  }

  private release(ack: Ack, inTurn = false): void {
    if (this.withhold()) {
      ack(WITHHELD);
    } else if (!inTurn && (this.held.length || this.hold())) {
      this.held.push(ack);
      this.heldCount = this.held.length;
    } else {
      ack();
    }
  }
}

type Ack = (error?: Error) => void;

/** mqtt.js skips the PUBACK of a message whose handleMessage callback gets an error, and reads on. */
const WITHHELD = new Error('not acknowledged: the service is stopping');
