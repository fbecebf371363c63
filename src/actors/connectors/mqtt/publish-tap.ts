/**
 * The stream between mqtt.js and the broker's socket that takes the
 * incoming PUBLISH packets of QoS 0 or 1 with a topic of their own (no alias)
 * off mqtt.js's hands: every message a broker sends us, as we subscribe at
 * QoS 1 at most and allow no topic aliases. Handled here or there, messages
 * keep their order only if all of them go one way.
 * mqtt.js's parser (mqtt-packet over a BufferList) allocated ~1.6 KB per
 * message and, with its one-packet-per-tick loop, was a third of the main
 * thread's time per message. Here a packet is cut from the socket's bytes
 * in place, handed over, and its PUBACK (QoS 1) written once the handler
 * calls back without an error — as mqtt.js does, one message at a time: while
 * a message is in hand nothing more is read (the socket pauses). The PUBACKs
 * of the messages taken in one read leave in one write.
 *
 * Everything else (CONNACK, SUBACK, PINGRESP, and what a broker should not
 * send us: QoS 2, aliased topics) goes on to mqtt.js unchanged, and
 * everything mqtt.js writes goes to the socket unchanged.
 */
import { Duplex } from "node:stream";

/** A message's handler; `done` without an error acknowledges it (QoS 1), with one leaves it to the broker. */
export type PublishHandler = (topic: string, payload: Buffer, done: (err?: Error) => void) => void;

const PUBLISH = 3;
const PUBACK_HEADER = 0x40;
/** A PUBACK of success: MQTT 5 lets it end after the packet id, as MQTT 3.1.1's does. */
const PUBACK_BYTES = 4;
const EMPTY = Buffer.alloc(0);

export class PublishTap extends Duplex {
  /** Bytes read but not yet cut into packets (a packet's start at most). */
  private rest: Buffer = EMPTY;
  /** Chunks of a packet longer than what has come, joined once it is all there. */
  private parts: Buffer[] = [];
  private partsLength = 0;
  /** The bytes the packet at the start of `rest` (or `parts`) needs; 0 when not known yet. */
  private needed = 0;
  /** A message is in hand: its handler has not called back. */
  private inHand = false;
  /** mqtt.js has not taken what was pushed to it. */
  private blocked = false;
  /** The message in hand's packet id and QoS, for its PUBACK. */
  private handId = 0;
  private handQos = 0;
  /** The handler is running: a callback now is a message taken on the spot. */
  private handing = false;
  /** Packet ids acknowledged in this pass, written together at its end. */
  private acks: number[] = [];

  constructor(
    private readonly socket: Duplex,
    private readonly mqtt5: boolean,
    private readonly handle: PublishHandler,
  ) {
    super({ allowHalfOpen: false });
    socket.on("data", (chunk: Buffer) => this.onSocketData(chunk));
    socket.on("end", () => this.push(null));
    socket.on("error", (err) => this.destroy(err));
    socket.on("close", () => this.destroy());
  }

  /** TCP_NODELAY on the socket underneath (see the connector's onConnect). */
  setNoDelay(noDelay: boolean): this {
    (this.socket as { setNoDelay?: (noDelay: boolean) => unknown }).setNoDelay?.(noDelay);
    return this;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    if (this.socket.write(chunk)) callback();
    else this.socket.once("drain", () => callback());
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (err?: Error | null) => void): void {
    this.socket.cork();
    let ok = true;
    for (const { chunk } of chunks) ok = this.socket.write(chunk);
    this.socket.uncork();
    if (ok) callback();
    else this.socket.once("drain", () => callback());
  }

  override _final(callback: (err?: Error | null) => void): void {
    this.socket.end(() => callback());
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    this.socket.destroy(err ?? undefined);
    callback(err);
  }

  override _read(): void {
    if (!this.blocked) return;
    this.blocked = false;
    if (!this.inHand) this.socket.resume();
  }

  private onSocketData(chunk: Buffer): void {
    if (this.needed > 0 && this.partsLength + chunk.length < this.needed) {
      // A long packet arriving in pieces: kept until it is whole, copied once.
      this.parts.push(chunk);
      this.partsLength += chunk.length;
      return;
    }
    if (this.parts.length > 0) {
      this.parts.push(chunk);
      this.rest = Buffer.concat(this.parts, this.partsLength + chunk.length);
      this.parts = [];
      this.partsLength = 0;
    } else {
      this.rest = this.rest.length === 0 ? chunk : Buffer.concat([this.rest, chunk]);
    }
    this.cutPackets();
  }

  /** Cuts whole packets off `rest` and hands them on, until a message is in hand or the bytes run out. */
  private cutPackets(): void {
    const buf = this.rest;
    const end = buf.length;
    let at = 0;
    this.needed = 0;
    while (!this.inHand && !this.destroyed) {
      if (end - at < 2) break;
      // The remaining length: 1 to 4 bytes of 7 bits, least significant first.
      let length = 0;
      let shift = 1;
      let i = at + 1;
      let complete = false;
      for (let n = 0; n < 4 && i < end; n++) {
        const b = buf[i++] as number;
        length += (b & 0x7f) * shift;
        shift *= 128;
        if ((b & 0x80) === 0) {
          complete = true;
          break;
        }
      }
      if (!complete) {
        if (i - at > 4) {
          // Not MQTT: mqtt.js says so and closes.
          this.toMqttJs(buf.subarray(at));
          at = end;
        }
        break;
      }
      const packetEnd = i + length;
      if (packetEnd > end) {
        this.needed = packetEnd - at;
        break;
      }
      if ((buf[at] as number) >> 4 !== PUBLISH || !this.takePublish(buf, at, i, packetEnd)) this.toMqttJs(buf.subarray(at, packetEnd));
      at = packetEnd;
    }
    this.rest = at >= end ? EMPTY : buf.subarray(at);
    if (this.needed > 0 && this.rest.length > 0) {
      this.parts = [this.rest];
      this.partsLength = this.rest.length;
      this.rest = EMPTY;
    }
    this.writeAcks();
    if (this.inHand || this.blocked) this.socket.pause();
    else this.socket.resume();
  }

  /** Hands a plain PUBLISH on (true), or leaves it to mqtt.js (false). */
  private takePublish(buf: Buffer, at: number, body: number, packetEnd: number): boolean {
    const qos = ((buf[at] as number) >> 1) & 3;
    if (qos > 1 || packetEnd - body < 2) return false;
    const topicLength = buf.readUInt16BE(body);
    if (topicLength === 0) return false;
    let p = body + 2 + topicLength;
    let id = 0;
    if (qos === 1) {
      if (p + 2 > packetEnd) return false;
      id = buf.readUInt16BE(p);
      p += 2;
    }
    if (this.mqtt5) {
      // Properties are skipped: none changes what the message means to us. A topic alias would, but
      // we never allow one (no Topic Alias Maximum in our CONNECT), so the broker must not send one.
      let length = 0;
      let shift = 1;
      for (let n = 0; ; n++) {
        if (n === 4 || p >= packetEnd) return false;
        const b = buf[p++] as number;
        length += (b & 0x7f) * shift;
        shift *= 128;
        if ((b & 0x80) === 0) break;
      }
      p += length;
    }
    if (p > packetEnd) return false;
    const topic = buf.toString("utf8", body + 2, body + 2 + topicLength);
    const payload = buf.subarray(p, packetEnd);
    this.handId = id;
    this.handQos = qos;
    this.inHand = true;
    this.handing = true;
    this.handle(topic, payload, this.onHandled);
    this.handing = false;
    return true;
  }

  /** The handler's callback: one function for every message (one is in hand at a time), not a closure each. */
  private readonly onHandled = (err?: Error): void => {
    if (!this.inHand) return;
    this.inHand = false;
    if (err === undefined && this.handQos === 1) this.acks.push(this.handId);
    // Called back later: the packets after it wait for this pass.
    if (!this.handing) this.cutPackets();
  };

  private toMqttJs(packet: Buffer): void {
    if (!this.push(packet)) this.blocked = true;
  }

  private writeAcks(): void {
    const ids = this.acks;
    if (ids.length === 0 || this.destroyed) return;
    this.acks = [];
    const out = Buffer.allocUnsafe(ids.length * PUBACK_BYTES);
    for (let k = 0; k < ids.length; k++) {
      const o = k * PUBACK_BYTES;
      out[o] = PUBACK_HEADER;
      out[o + 1] = 2;
      out.writeUInt16BE(ids[k] as number, o + 2);
    }
    this.socket.write(out);
  }
}
