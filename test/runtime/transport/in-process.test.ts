import { describe, expect, it } from "vitest";
import { createInProcessBus, createInProcessTransport } from "../../../src/runtime/transport/index.js";
import { runTransportConformance, take } from "./transport.case.js";

runTransportConformance("in-process", () => {
  const bus = createInProcessBus();
  const a = createInProcessTransport({ bus });
  const b = createInProcessTransport({ bus });
  return Promise.resolve({
    a,
    b,
    cleanup: async () => {
      await a.close();
      await b.close();
    },
  });
});

const bytes = (n: number): Uint8Array => new Uint8Array([n]);

describe("InProcessTransport", () => {
  it("never delivers inside the publisher's call stack", async () => {
    const t = createInProcessTransport();
    const sub = t.subscribe("sync.check");
    let publishing = false;
    const seen = (async () => {
      for await (const _ of sub) return publishing;
      return undefined;
    })();
    await Promise.resolve(); // let the consumer park on next()
    publishing = true;
    t.publish("sync.check", bytes(1));
    publishing = false;
    expect(await seen).toBe(false);
    await t.close();
  });

  it("spreads a queue group round-robin: each member gets an equal share", async () => {
    const t = createInProcessTransport();
    const members = [0, 1, 2].map(() => t.subscribe("rr", { queue: "q" }));
    for (let i = 0; i < 300; i++) t.publish("rr", bytes(i % 256));
    expect(members.map((m) => m.pending)).toEqual([100, 100, 100]);
    await t.close();
  });

  it("removes every subscription from the bus on unsubscribe and close (no leaks)", async () => {
    const bus = createInProcessBus();
    const a = createInProcessTransport({ bus });
    const b = createInProcessTransport({ bus });
    const responder = b.subscribe("svc.echo");
    void (async () => {
      for await (const m of responder) m.respond(m.data);
    })();
    await a.request("svc.echo", bytes(7)); // opens a's request inbox
    const s1 = a.subscribe("x.*.y");
    a.subscribe("x.>", { queue: "q" });
    expect(bus.subscriptionCount).toBe(4);
    s1.unsubscribe();
    expect(bus.subscriptionCount).toBe(3);
    await a.close();
    await b.close();
    expect(bus.subscriptionCount).toBe(0);
  });

  it("keeps the buffer bounded by bytes as well as by count", async () => {
    const t = createInProcessTransport();
    const sub = t.subscribe("big", { maxPendingBytes: 1_000 });
    for (let i = 0; i < 10; i++) t.publish("big", new Uint8Array(300).fill(i));
    expect(sub.pending).toBe(3);
    expect(sub.dropped).toBe(7);
    sub.unsubscribe();
    const firstBytes: number[] = [];
    for await (const m of sub) firstBytes.push(m.data[0] ?? -1);
    expect(firstBytes).toEqual([7, 8, 9]);
    await t.close();
  });

  it("signals a slow consumer again only after it has caught up", async () => {
    const t = createInProcessTransport();
    let signals = 0;
    const sub = t.subscribe("slow.rearm", { maxPending: 4, onSlowConsumer: () => signals++ });
    const it = sub[Symbol.asyncIterator]();
    for (let i = 0; i < 10; i++) t.publish("slow.rearm", bytes(i));
    await t.flush();
    expect(signals).toBe(1);
    await it.next(); // 3 left: above half, still silenced
    for (let i = 0; i < 10; i++) t.publish("slow.rearm", bytes(i));
    await t.flush();
    expect(signals).toBe(1);
    for (let i = 0; i < 3; i++) await it.next(); // 1 left: caught up, re-armed
    for (let i = 0; i < 10; i++) t.publish("slow.rearm", bytes(i));
    await t.flush();
    expect(signals).toBe(2);
    await t.close();
  });

  it("a throwing slow-consumer listener does not disturb delivery", async () => {
    const t = createInProcessTransport();
    const sub = t.subscribe("slow.throw", {
      maxPending: 1,
      onSlowConsumer: () => {
        throw new Error("listener bug");
      },
    });
    t.publish("slow.throw", bytes(1));
    t.publish("slow.throw", bytes(2));
    await t.flush();
    expect((await take(sub, 1))[0]?.data[0]).toBe(2);
    await t.close();
  });

  it("rejects non-positive buffer limits and timeouts with VIGIL_CONFIG_INVALID", async () => {
    const t = createInProcessTransport();
    expect(() => t.subscribe("x", { maxPending: 0 })).toThrow(expect.objectContaining({ code: "VIGIL_CONFIG_INVALID" }));
    expect(() => t.subscribe("x", { maxPendingBytes: 1.5 })).toThrow(expect.objectContaining({ code: "VIGIL_CONFIG_INVALID" }));
    await expect(t.request("x", bytes(0), { timeoutMs: 0 })).rejects.toMatchObject({ code: "VIGIL_CONFIG_INVALID" });
    await t.close();
  });

  it("transports on different buses do not see each other", async () => {
    const a = createInProcessTransport();
    const b = createInProcessTransport();
    b.subscribe("isolated");
    await expect(a.request("isolated", bytes(0))).rejects.toMatchObject({ code: "VIGIL_TRANSPORT_NO_RESPONDERS" });
    await a.close();
    await b.close();
  });
});
