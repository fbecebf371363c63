/**
 * The Transport conformance suite. Every implementation runs it through
 * `runTransportConformance`, against two transports on the same bus (two
 * handles on one in-process bus, or two connections to one nats-server), so
 * each behaviour is checked across "connections" as it will be used.
 *
 * Synchronisation is by counts and round trips, never sleeps: after a
 * subscribe, `b.flush()` makes the subscription live at the server; after
 * publishing, `settle()` (publisher flush, then subscriber flush) guarantees
 * everything sent has reached the subscriber's buffer.
 */

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isVigilError, type VigilErrorCode } from "../../../src/runtime/errors.js";
import type { Subscription, Transport, TransportMessage } from "../../../src/runtime/transport/transport.js";

export interface TransportPair {
  a: Transport;
  b: Transport;
  cleanup(): Promise<void>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const text = (s: string): Uint8Array => encoder.encode(s);
const str = (data: Uint8Array): string => decoder.decode(data);

function u32(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n);
  return out;
}
function readU32(data: Uint8Array): number {
  return new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0);
}

/** Reads exactly `n` messages without ending the subscription. */
export async function take(sub: Subscription, n: number): Promise<TransportMessage[]> {
  const it = sub[Symbol.asyncIterator]();
  const out: TransportMessage[] = [];
  while (out.length < n) {
    const r = await it.next();
    if (r.done === true) throw new Error(`subscription ended after ${out.length} of ${n} messages`);
    out.push(r.value);
  }
  return out;
}

/** Everything the subscription yields until its iterator ends. */
export async function drain(sub: Subscription): Promise<TransportMessage[]> {
  const out: TransportMessage[] = [];
  for await (const m of sub) out.push(m);
  return out;
}

function expectCode(fn: () => unknown, code: VigilErrorCode): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(isVigilError(thrown, code), `expected ${code}, got ${String(thrown)}`).toBe(true);
}

async function expectRejectCode(promise: Promise<unknown>, code: VigilErrorCode): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isVigilError(err, code), `expected ${code}, got ${String(err)}`).toBe(true);
}

let subjectCounter = 0;
/** A subject prefix no other test uses, so tests on one server never see each other's traffic. */
function fresh(name: string): string {
  subjectCounter++;
  return `conf.${name}.${process.pid}.${subjectCounter}`;
}

export function runTransportConformance(name: string, factory: () => Promise<TransportPair>): void {
  describe(`Transport conformance: ${name}`, () => {
    let pair: TransportPair;
    let a: Transport;
    let b: Transport;

    beforeEach(async () => {
      pair = await factory();
      ({ a, b } = pair);
    });

    afterEach(async () => {
      await pair.cleanup();
    });

    /** Everything `a` published has reached `b`'s subscriptions. */
    async function settle(): Promise<void> {
      await a.flush();
      await b.flush();
    }

    describe("subjects", () => {
      it("delivers a message published on an exact subject to its subscriber", async () => {
        const subject = fresh("exact");
        const sub = b.subscribe(subject);
        await b.flush();
        a.publish(subject, text("hello"));
        const [m] = await take(sub, 1);
        expect(m?.subject).toBe(subject);
        expect(str(m?.data ?? new Uint8Array())).toBe("hello");
        expect(m?.reply).toBeUndefined();
      });

      it("does not deliver messages on other subjects", async () => {
        const subject = fresh("other");
        const sub = b.subscribe(`${subject}.x`);
        await b.flush();
        a.publish(`${subject}.y`, text("no"));
        a.publish(`${subject}.x.y`, text("no"));
        a.publish(`${subject}.x`, text("yes"));
        await settle();
        sub.unsubscribe();
        const got = await drain(sub);
        expect(got.map((m) => str(m.data))).toEqual(["yes"]);
      });

      it("`*` matches exactly one token", async () => {
        const p = fresh("star");
        const sub = b.subscribe(`${p}.*.end`);
        await b.flush();
        for (const s of [`${p}.one.end`, `${p}.end`, `${p}.one.two.end`, `${p}.two.end`, `${p}.one.end.more`]) {
          a.publish(s, text(s));
        }
        await settle();
        sub.unsubscribe();
        const got = (await drain(sub)).map((m) => m.subject).sort();
        expect(got).toEqual([`${p}.one.end`, `${p}.two.end`]);
      });

      it("`>` matches one or more trailing tokens and not zero", async () => {
        const p = fresh("gt");
        const sub = b.subscribe(`${p}.>`);
        await b.flush();
        for (const s of [p, `${p}.a`, `${p}.a.b.c`]) a.publish(s, text(s));
        await settle();
        sub.unsubscribe();
        const got = (await drain(sub)).map((m) => m.subject).sort();
        expect(got).toEqual([`${p}.a`, `${p}.a.b.c`]);
      });

      it("a message reaches every subscription whose subject matches it", async () => {
        const p = fresh("overlap");
        const subs = [b.subscribe(`${p}.x.y`), b.subscribe(`${p}.*.y`), b.subscribe(`${p}.>`), a.subscribe(`${p}.x.*`)];
        await settle();
        a.publish(`${p}.x.y`, text("m"));
        const got = await Promise.all(subs.map((s) => take(s, 1)));
        expect(got.map((g) => g.length)).toEqual([1, 1, 1, 1]);
      });

      it("a transport receives its own publications", async () => {
        const subject = fresh("echo");
        const sub = a.subscribe(subject);
        await a.flush();
        a.publish(subject, text("me"));
        const [m] = await take(sub, 1);
        expect(str(m?.data ?? new Uint8Array())).toBe("me");
      });
    });

    describe("queue groups", () => {
      it("delivers each message to exactly one member of a queue group and spreads them", async () => {
        const subject = fresh("queue");
        const members = [a.subscribe(subject, { queue: "workers" }), b.subscribe(subject, { queue: "workers" })];
        await settle();
        const total = 200;
        for (let i = 0; i < total; i++) a.publish(subject, u32(i));
        await settle();
        for (const m of members) m.unsubscribe();
        const received = await Promise.all(members.map((m) => drain(m)));
        const ids = received.flat().map((m) => readU32(m.data));
        expect(ids).toHaveLength(total);
        expect(new Set(ids).size).toBe(total);
        for (const r of received) expect(r.length).toBeGreaterThan(0);
      });

      it("a plain subscriber and a queue group on the same subject both get every message", async () => {
        const subject = fresh("mixed");
        const plain = b.subscribe(subject);
        const group = [b.subscribe(subject, { queue: "g" }), a.subscribe(subject, { queue: "g" })];
        await settle();
        for (let i = 0; i < 20; i++) a.publish(subject, u32(i));
        await settle();
        for (const s of [plain, ...group]) s.unsubscribe();
        const plainGot = await drain(plain);
        const groupGot = (await Promise.all(group.map((s) => drain(s)))).flat();
        expect(plainGot.map((m) => readU32(m.data))).toEqual([...Array(20).keys()]);
        expect(groupGot.map((m) => readU32(m.data)).sort((x, y) => x - y)).toEqual([...Array(20).keys()]);
      });

      it("two different queue groups each get every message once", async () => {
        const subject = fresh("groups");
        const g1 = [b.subscribe(subject, { queue: "one" }), b.subscribe(subject, { queue: "one" })];
        const g2 = [b.subscribe(subject, { queue: "two" })];
        await b.flush();
        for (let i = 0; i < 10; i++) a.publish(subject, u32(i));
        await settle();
        for (const s of [...g1, ...g2]) s.unsubscribe();
        const got1 = (await Promise.all(g1.map((s) => drain(s)))).flat();
        const got2 = (await Promise.all(g2.map((s) => drain(s)))).flat();
        expect(got1).toHaveLength(10);
        expect(got2).toHaveLength(10);
      });

      it("rejects an invalid queue group name", () => {
        for (const queue of ["", "q.*", "q w", "q..r"]) {
          expectCode(() => b.subscribe(fresh("badq"), { queue }), "VIGIL_TRANSPORT_SUBJECT_INVALID");
        }
      });
    });

    describe("request/reply", () => {
      it("a request gets the responder's reply", async () => {
        const subject = fresh("rpc");
        const responder = b.subscribe(subject);
        await b.flush();
        const served = (async () => {
          const [m] = await take(responder, 1);
          expect(m?.reply).toBeTypeOf("string");
          m?.respond(text(`re:${str(m.data)}`));
        })();
        const reply = await a.request(subject, text("ping"));
        await served;
        expect(str(reply.data)).toBe("re:ping");
      });

      it("concurrent requests each get their own reply", async () => {
        const subject = fresh("rpc-many");
        const responder = b.subscribe(subject);
        await b.flush();
        void (async () => {
          for await (const m of responder) m.respond(m.data);
        })();
        const n = 50;
        const replies = await Promise.all(Array.from({ length: n }, (_, i) => a.request(subject, u32(i))));
        expect(replies.map((r) => readU32(r.data))).toEqual([...Array(n).keys()]);
      });

      it("a request with no responders rejects with VIGIL_TRANSPORT_NO_RESPONDERS", async () => {
        await expectRejectCode(a.request(fresh("nobody"), text("?")), "VIGIL_TRANSPORT_NO_RESPONDERS");
      });

      it("a request to a responder that never answers rejects with VIGIL_TRANSPORT_TIMEOUT", async () => {
        const subject = fresh("silent");
        const silent = b.subscribe(subject);
        await b.flush();
        await expectRejectCode(a.request(subject, text("?"), { timeoutMs: 100 }), "VIGIL_TRANSPORT_TIMEOUT");
        expect(silent.pending).toBe(1);
      });

      it("responding to a message without a reply subject throws VIGIL_TRANSPORT_SUBJECT_INVALID", async () => {
        const subject = fresh("noreply");
        const sub = b.subscribe(subject);
        await b.flush();
        a.publish(subject, text("x"));
        const [m] = await take(sub, 1);
        expectCode(() => m?.respond(text("y")), "VIGIL_TRANSPORT_SUBJECT_INVALID");
      });
    });

    describe("subscriptions", () => {
      it("unsubscribe ends the async iterator", async () => {
        const sub = b.subscribe(fresh("unsub"));
        const consumed = drain(sub);
        sub.unsubscribe();
        sub.unsubscribe(); // idempotent
        expect(await consumed).toEqual([]);
      });

      it("messages buffered before unsubscribe are still yielded", async () => {
        const subject = fresh("unsub-buffered");
        const sub = b.subscribe(subject);
        await b.flush();
        for (let i = 0; i < 3; i++) a.publish(subject, u32(i));
        await settle();
        sub.unsubscribe();
        expect((await drain(sub)).map((m) => readU32(m.data))).toEqual([0, 1, 2]);
      });

      it("breaking out of a for-await loop unsubscribes", async () => {
        const subject = fresh("break");
        const sub = b.subscribe(subject);
        await b.flush();
        a.publish(subject, text("one"));
        for await (const m of sub) {
          expect(str(m.data)).toBe("one");
          break;
        }
        await b.flush();
        await expectRejectCode(a.request(subject, text("?"), { timeoutMs: 1_000 }), "VIGIL_TRANSPORT_NO_RESPONDERS");
      });

      it("preserves the order of one publisher's messages on one subject (10,000 messages)", async () => {
        const subject = fresh("order");
        const sub = b.subscribe(subject);
        await b.flush();
        const n = 10_000;
        const received = take(sub, n);
        for (let i = 0; i < n; i++) a.publish(subject, u32(i));
        await a.flush();
        const got = (await received).map((m) => readU32(m.data));
        expect(got).toEqual([...Array(n).keys()]);
        expect(sub.dropped).toBe(0);
      });

      it("poll hands over the messages buffered since the iterator's last one, in order, without waiting", async () => {
        const subject = fresh("poll");
        const sub = b.subscribe(subject);
        await b.flush();
        for (let i = 0; i < 3; i++) a.publish(subject, u32(i));
        await settle();
        const [first] = await take(sub, 1);
        const rest = [sub.poll(), sub.poll()];
        expect([first, ...rest].map((m) => (m === undefined ? undefined : readU32(m.data)))).toEqual([0, 1, 2]);
        expect(sub.poll()).toBeUndefined();
        sub.unsubscribe();
      });

      it("a full buffer drops the oldest messages, counts them and signals a slow consumer once", async () => {
        const subject = fresh("slow");
        const signals: { pending: number; dropped: number }[] = [];
        const sub = b.subscribe(subject, {
          maxPending: 10,
          onSlowConsumer: (e) => signals.push({ pending: e.pending, dropped: e.dropped }),
        });
        await b.flush();
        for (let i = 0; i < 100; i++) a.publish(subject, u32(i));
        await settle();
        expect(sub.pending).toBe(10);
        expect(sub.dropped).toBe(90);
        expect(signals).toEqual([{ pending: 10, dropped: 1 }]);
        sub.unsubscribe();
        expect((await drain(sub)).map((m) => readU32(m.data))).toEqual([...Array(10).keys()].map((i) => 90 + i));
      });
    });

    describe("invalid subjects", () => {
      it("publishing to an invalid or wildcard subject throws VIGIL_TRANSPORT_SUBJECT_INVALID", () => {
        for (const s of ["", "a..b", ".a", "a.", "a.*", "a.>", "*", ">", "a b", "a\tb", "a*"]) {
          expectCode(() => a.publish(s, text("x")), "VIGIL_TRANSPORT_SUBJECT_INVALID");
        }
      });

      it("subscribing to a malformed subject throws VIGIL_TRANSPORT_SUBJECT_INVALID", () => {
        for (const s of ["", "a..b", ".a", "a.", "a.>.b", ">.a", "a*", "a.b>", "a b"]) {
          expectCode(() => a.subscribe(s), "VIGIL_TRANSPORT_SUBJECT_INVALID");
        }
      });

      it("a request on a wildcard subject rejects with VIGIL_TRANSPORT_SUBJECT_INVALID", async () => {
        await expectRejectCode(a.request("a.*", text("x")), "VIGIL_TRANSPORT_SUBJECT_INVALID");
      });
    });

    describe("close", () => {
      it("operations after close fail with VIGIL_TRANSPORT_CLOSED", async () => {
        await a.close();
        expectCode(() => a.publish("x.y", text("x")), "VIGIL_TRANSPORT_CLOSED");
        expectCode(() => a.subscribe("x.y"), "VIGIL_TRANSPORT_CLOSED");
        await expectRejectCode(a.request("x.y", text("x")), "VIGIL_TRANSPORT_CLOSED");
        await expectRejectCode(a.flush(), "VIGIL_TRANSPORT_CLOSED");
        await a.close(); // a second close is harmless
      });

      it("close ends the async iterators of open subscriptions", async () => {
        const sub = a.subscribe(fresh("close-iter"));
        await a.flush();
        const consumed = drain(sub);
        await a.close();
        expect(await consumed).toEqual([]);
      });

      it("a request in flight when the transport closes rejects with VIGIL_TRANSPORT_CLOSED", async () => {
        const subject = fresh("close-req");
        b.subscribe(subject);
        await b.flush();
        const pending = a.request(subject, text("?"), { timeoutMs: 10_000 });
        await a.close();
        await expectRejectCode(pending, "VIGIL_TRANSPORT_CLOSED");
      });

      it("closing one transport leaves the other working", async () => {
        const subject = fresh("close-other");
        const sub = b.subscribe(subject);
        await b.flush();
        await a.close();
        b.publish(subject, text("still"));
        const [m] = await take(sub, 1);
        expect(str(m?.data ?? new Uint8Array())).toBe("still");
      });
    });
  });
}
