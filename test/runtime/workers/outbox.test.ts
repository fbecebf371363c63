/**
 * Envelopes packed for another thread: messages a kind's codec accepts travel
 * in its columns, the rest as they are, and the receiver gets every message
 * back in its place.
 */
import { describe, expect, it } from "vitest";
import { defineActorKind, type MessageCodec } from "../../../src/runtime/index.js";
import { CREDIT_REMOTE, MAIN_ENDPOINT, type Envelope } from "../../../src/runtime/envelope.js";
import { KindRegistry } from "../../../src/runtime/kind-registry.js";
import { AddressTable, decodeMessages, Outbox, packEnvelopes, receivePublications, unpackEnvelope, type ReceivedAddresses } from "../../../src/runtime/workers/outbox.js";
import type { Batch } from "../../../src/runtime/workers/protocol.js";

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
    const addresses: ReceivedAddresses = [];
    decodeMessages(packed, kinds, addresses);
    expect(sent.map((_, i) => unpackEnvelope(packed, i, addresses))).toEqual(sent);
  });

  it("leaves out the message and sender lists of a batch its kinds' codecs carry whole and no actor sent, and still delivers it equal", () => {
    const sent = [env("meter/a", { n: 1 }), env("meter/b", { n: 2 })];
    const packed = structuredClone(packEnvelopes(sent, sent.map((e) => kinds.forAddress(e.to))));
    expect([packed.msg, packed.from]).toEqual([undefined, undefined]);
    const addresses: ReceivedAddresses = [];
    decodeMessages(packed, kinds, addresses);
    expect(sent.map((_, i) => unpackEnvelope(packed, i, addresses))).toEqual(sent);
  });

  it("sends every message as it is when no kinds are given", () => {
    const sent = [env("meter/a", { n: 1 }), env("meter/b", { n: 2 })];
    const packed = packEnvelopes(sent);
    expect(packed.coded).toBeUndefined();
    const addresses: ReceivedAddresses = [];
    decodeMessages(packed, kinds, addresses);
    expect(sent.map((_, i) => unpackEnvelope(packed, i, addresses))).toEqual(sent);
  });
});

/** Packs, clones and unpacks like a port between two threads; `post` false plays a post that threw. */
function port(): { send(envs: Envelope[], post?: boolean): { names: string[]; got: Envelope[] } } {
  const table = new AddressTable();
  const addresses: ReceivedAddresses = [];
  return {
    send(envs, post = true) {
      const packed = structuredClone(packEnvelopes(envs, [], table));
      if (!post) {
        table.rollback();
        return { names: packed.names, got: [] };
      }
      table.commit();
      decodeMessages(packed, kinds, addresses);
      return { names: packed.names, got: envs.map((_, i) => unpackEnvelope(packed, i, addresses)) };
    },
  };
}

describe("addresses across a port", () => {
  it("names each address once: later batches to the same actors carry indices only, and arrive equal to what was sent", () => {
    const p = port();
    const first = [env("meter/a", 1), env("meter/b", 2), env("meter/a", 3)];
    expect(p.send(first).names).toEqual(["meter/a", "meter/b"]);
    const second = [env("meter/b", 4), { ...env("meter/c", 5), from: "meter/a" }, env("meter/a", 6)];
    const { names, got } = p.send(second);
    expect(names).toEqual(["meter/c"]);
    expect(got).toEqual(second);
  });

  it("names again the addresses of a batch whose post failed, so the receiver never meets an index it was not told", () => {
    const p = port();
    p.send([env("meter/a", 1)]);
    expect(p.send([env("meter/b", 2), env("meter/a", 3)], false).names).toEqual(["meter/b"]);
    const retry = [env("meter/a", 4), env("meter/b", 5)];
    const { names, got } = p.send(retry);
    expect(names).toEqual(["meter/b"]);
    expect(got).toEqual(retry);
  });

  it("starts its table afresh past 65,536 addresses, and every envelope still reaches its own address", () => {
    const p = port();
    for (let i = 0; i < 65_536; i += 1_024) p.send(Array.from({ length: 1_024 }, (_, j) => env(`meter/m${i + j}`, j)));
    const after = [env("meter/m7", 1), env("meter/new", 2), env("meter/m7", 3)];
    const { names, got } = p.send(after);
    expect(names).toEqual(["meter/m7", "meter/new"]);
    expect(got).toEqual(after);
  });
});

describe("publications crossing to the node's outlet", () => {
  /** An outbox posting through structured clone, as a port does, to a receiver that hands each publication on. */
  function crossing(): { outbox: Outbox; received: [string, string][]; batches: Batch[] } {
    const received: [string, string][] = [];
    const batches: Batch[] = [];
    const subjects: ReceivedAddresses = [];
    const outbox = new Outbox({
      post: (b) => {
        const copy = structuredClone(b);
        batches.push(copy);
        receivePublications(copy, subjects, (subject, json) => received.push([subject, json]));
      },
      uncloneableEnvelope: () => undefined,
      uncloneableReply: () => undefined,
    });
    return { outbox, received, batches };
  }

  it("arrive in order with their subjects, each subject named once across batches", () => {
    const { outbox, received, batches } = crossing();
    const sent: [string, string][] = [];
    for (let batch = 0; batch < 3; batch++) {
      for (let i = 0; i < 5; i++) {
        const p: [string, string] = [`vigil.processed.U${i % 2}.s${i}`, `{"n":${batch * 5 + i}}`];
        sent.push(p);
        outbox.publish(...p);
      }
      outbox.flush();
    }
    expect(received).toEqual(sent);
    expect(batches.map((b) => b.psNames)).toEqual([["vigil.processed.U0.s0", "vigil.processed.U1.s1", "vigil.processed.U0.s2", "vigil.processed.U1.s3", "vigil.processed.U0.s4"], [], []]);
  });

  it("keep their subjects when a batch's post throws for another item and the outbox posts them apart", () => {
    const { outbox, received } = crossing();
    outbox.publish("vigil.processed.U0.a", "1");
    outbox.reply({ ask: 1, origin: 0, ok: true, value: { cannot: () => 1 }, error: undefined }); // a function: structured clone throws for the whole batch
    outbox.publish("vigil.processed.U0.b", "2");
    outbox.flush();
    outbox.publish("vigil.processed.U0.b", "3");
    outbox.publish("vigil.processed.U0.c", "4");
    outbox.flush();
    expect(received).toEqual([
      ["vigil.processed.U0.a", "1"],
      ["vigil.processed.U0.b", "2"],
      ["vigil.processed.U0.b", "3"],
      ["vigil.processed.U0.c", "4"],
    ]);
  });
});
