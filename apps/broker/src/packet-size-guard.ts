import { Transform, type TransformCallback } from 'node:stream';

/**
 * Sits between a client's socket and aedes and ends the connection when an MQTT packet declares a
 * Remaining Length above the limit, before any of it is buffered (aedes' parser would otherwise
 * collect up to MQTT's 256 MB for one packet). It reads only the fixed headers
 * ([MQTT-2.2]: one byte of type and flags, then the Remaining Length in 1–4 bytes of 7 bits).
 */
export class PacketSizeGuard extends Transform {
  /** Bytes of the current packet's body still to pass through. */
  private remaining = 0;
  /** Fixed-header bytes seen so far of the packet being started. */
  private header: number[] = [];

  constructor(
    private readonly maxPacketBytes: number,
    private readonly onRefused: (declaredBytes: number) => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - offset);
        this.remaining -= take;
        offset += take;
        continue;
      }
      this.header.push(chunk[offset++]);
      if (this.header.length === 1) continue; // the type and flags byte
      const lengthBytes = this.header.slice(1);
      const last = lengthBytes[lengthBytes.length - 1];
      if (last & 0x80) {
        if (lengthBytes.length === 4) return callback(new Error('malformed Remaining Length [MQTT-2.2.3]'));
        continue;
      }
      const length = lengthBytes.reduce((sum, byte, i) => sum + (byte & 0x7f) * 128 ** i, 0);
      this.header = [];
      if (length > this.maxPacketBytes) {
        this.onRefused(length);
        return callback(new Error(`packet of ${length} bytes is over the limit of ${this.maxPacketBytes}`));
      }
      this.remaining = length;
    }
    callback(null, chunk);
  }
}
