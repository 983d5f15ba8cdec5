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

