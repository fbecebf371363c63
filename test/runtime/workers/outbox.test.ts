/**
 * Envelopes packed for another thread: messages a kind's codec accepts travel
 * in its columns, the rest as they are, and the receiver gets every message
 * back in its place.
 */
import { describe, expect, it } from "vitest";
import { defineActorKind, type MessageCodec } from "../../../src/runtime/index.js";
import { CREDIT_REMOTE, MAIN_ENDPOINT, type Envelope } from "../../../src/runtime/envelope.js";
import { KindRegistry } from "../../../src/runtime/kind-registry.js";
import { decodeMessages, packEnvelopes, unpackEnvelope } from "../../../src/runtime/workers/outbox.js";

interface Tick {
  n: number;
}

const tickCodec: MessageCodec<Tick> = {
  accepts: (m): m is Tick => typeof m === "object" && m !== null && typeof (m as Tick).n === "number" && Object.keys(m).length === 1,
  encode: (ticks) => Float64Array.from(ticks, (t) => t.n),
  decode: (columns) => Array.from(columns as Float64Array, (n) => ({ n })),
};

const kinds = new KindRegistry([
  defineActorKind<unknown>({ name: "meter", create: () => ({ receive: () => undefined }), codec: tickCodec }),
  defineActorKind<unknown>({ name: "plain", create: () => ({ receive: () => undefined }) }),
]);

function env(to: string, msg: unknown): Envelope {
  return { to, msg, from: undefined, ask: 0, origin: MAIN_ENDPOINT, credit: CREDIT_REMOTE };
}

describe("packing envelopes with kind codecs", () => {
  it("delivers a mixed batch — codec-borne, refused by the codec, of a kind without one — in order and equal to what was sent", () => {
    const sent = [env("meter/a", { n: 1 }), env("plain/x", { n: 2 }), env("meter/b", { n: 3, extra: true }), env("meter/a", { n: 4 }), env("plain/y", "hello"), env("meter/c", { n: 5 })];
    const packed = structuredClone(packEnvelopes(sent, sent.map((e) => kinds.forAddress(e.to))));
    expect(packed.coded?.map((c) => [c.kind, [...c.at]])).toEqual([["meter", [0, 3, 5]]]);
    decodeMessages(packed, kinds);
    expect(sent.map((_, i) => unpackEnvelope(packed, i))).toEqual(sent);
  });

  it("sends every message as it is when no kinds are given", () => {
    const sent = [env("meter/a", { n: 1 }), env("meter/b", { n: 2 })];
    const packed = packEnvelopes(sent);
    expect(packed.coded).toBeUndefined();
    decodeMessages(packed, kinds);
    expect(sent.map((_, i) => unpackEnvelope(packed, i))).toEqual(sent);
  });
});
