/**
 * The PublishTap's cutting of a broker's bytes into packets, whatever sizes
 * the socket reads come in: a byte stream stands in for the socket, as the
 * tap sees no more of one than its bytes (the wire specs run it against a
 * real Mosquitto).
 */
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { PublishTap } from "../../../../src/actors/connectors/mqtt/publish-tap.js";

function varint(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

function text(s: string): Buffer {
  const bytes = Buffer.from(s);
  return Buffer.concat([Buffer.from([bytes.length >> 8, bytes.length & 0xff]), bytes]);
}

/** A PUBLISH as a broker sends it; on MQTT 5 with a user property when `withProperty`. */
function publish(topic: string, payload: string, qos: 0 | 1, id: number, mqtt5: boolean, withProperty: boolean): Buffer {
  const properties = withProperty ? Buffer.concat([Buffer.from([0x26]), text("site"), text("north")]) : Buffer.alloc(0);
  const body = Buffer.concat([
    text(topic),
    qos === 1 ? Buffer.from([id >> 8, id & 0xff]) : Buffer.alloc(0),
    mqtt5 ? Buffer.concat([Buffer.from(varint(properties.length)), properties]) : Buffer.alloc(0),
    Buffer.from(payload),
  ]);
  return Buffer.concat([Buffer.from([0x30 | (qos << 1), ...varint(body.length)]), body]);
}

const PINGRESP = Buffer.from([0xd0, 0x00]);

/** A fixed sequence of read sizes from 1 to `max` bytes. */
function cuts(max: number): () => number {
  let seed = 7;
  return () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return 1 + (seed % max);
  };
}

describe.each([
  ["MQTT 3.1.1", false],
  ["MQTT 5", true],
])("the PublishTap on %s", (_, mqtt5) => {
  it.each([
    ["reads of one to three bytes", 3],
    ["reads of up to 100 KB", 100_000],
  ])("hands every message on once and in order, acknowledges each QoS 1 one once, and passes the rest to mqtt.js, from %s", async (_, max) => {
    const stream: Buffer[] = [];
    const expected: string[] = [];
    for (let n = 1; n <= 1_000; n++) {
      // Every 97th is longer than a socket read; every third is QoS 1; every 11th carries a property on MQTT 5.
      const payload = n % 97 === 0 ? "x".repeat(70_000 + n) : String(n);
      stream.push(publish(`scada/U${n % 7}/s`, payload, n % 3 === 0 ? 1 : 0, n, mqtt5, mqtt5 && n % 11 === 0));
      expected.push(`scada/U${n % 7}/s ${payload.length}`);
      if (n % 250 === 0) stream.push(PINGRESP);
    }
    const socket = new PassThrough();
    const written: Buffer[] = [];
    socket.write = (chunk: Buffer): boolean => written.push(chunk) > 0;
    const got: string[] = [];
    let handled = 0;
    const tap = new PublishTap(socket, mqtt5, (topic, payload, done) => {
      got.push(`${topic} ${payload.length}`);
      // Every 13th is accepted later, as a message waiting for a full mailbox is.
      if (++handled % 13 === 0) setTimeout(done, 0);
      else done();
    });
    const forwarded: Buffer[] = [];
    tap.on("data", (chunk: Buffer) => forwarded.push(chunk));

    const bytes = Buffer.concat(stream);
    const next = cuts(max);
    for (let at = 0; at < bytes.length; ) {
      const n = next();
      socket.push(bytes.subarray(at, at + n));
      at += n;
    }
    while (got.length < expected.length) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 20));

    expect(got).toEqual(expected);
    const acks = Buffer.concat(written);
    const ids = Array.from({ length: acks.length / 4 }, (_, k) => acks.readUInt16BE(k * 4 + 2));
    expect(ids).toEqual(expected.map((_, i) => i + 1).filter((n) => n % 3 === 0));
    expect(Array.from({ length: acks.length / 4 }, (_, k) => [acks[k * 4], acks[k * 4 + 1]])).toEqual(ids.map(() => [0x40, 2]));
    expect(Buffer.concat(forwarded)).toEqual(Buffer.concat([PINGRESP, PINGRESP, PINGRESP, PINGRESP]));
  });
});
