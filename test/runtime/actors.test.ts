/**
 * The actor contract as a shard on the calling thread provides it (workers: 0):
 * virtual activation, one-at-a-time ordered handling, passivation and
 * reactivation, ask timeouts, bounded mailboxes, bad input. Time only moves
 * through a SimulatedClock; the shard itself drains on setImmediate, so tests
 * synchronise on replies and a bounded number of event-loop turns.
 */
import { describe, expect, it } from "vitest";
import { defineActorKind } from "../../src/runtime/index.js";
import { expectCode, inThreadSystems, observe, turns } from "../fixtures/actor-system.js";
import { gate, ledger } from "../fixtures/in-thread-kinds.js";

const start = inThreadSystems();

const add = (n: number) => ({ type: "add", n }) as const;
const GET = { type: "get" } as const;
const FAIL = { type: "fail" } as const;

describe("virtual actors", () => {
  it("are created on their first message, once, each with its own state", async () => {
    const { kind, life } = ledger("meter");
    const { system } = await start([kind]);
    expect(life.created).toBe(0);
    system.tell("meter/U1/a", add(1));
    system.tell("meter/U1/a", add(2));
    system.tell("meter/U1/b", add(10));
    expect(await system.ask("meter/U1/a", GET)).toBe(3);
    expect(await system.ask("meter/U1/b", GET)).toBe(10);
    expect(life.created).toBe(2);
    expect(life.activated).toBe(2);
    const stats = await system.stats();
    expect(stats.kinds.meter).toMatchObject({ activations: 2, processed: 5 });
    expect(stats.shards[0]?.activeActors).toBe(2);
  });

  it("handle one message at a time, in order, even when receive is asynchronous", async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const seen: number[] = [];
    const serial = defineActorKind<number>({
      name: "serial",
      create: () => ({
        async receive(n) {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await turns(n % 3); // uneven handling times
          seen.push(n);
          inFlight--;
          return n;
        },
      }),
    });
    const { system } = await start([serial]);
    for (let n = 0; n < 100; n++) system.tell("serial/1", n);
    expect(await system.ask("serial/1", 100)).toBe(100);
    expect(seen).toEqual(Array.from({ length: 101 }, (_, i) => i));
    expect(maxInFlight).toBe(1);
  });

  it("can ask one another, and see who sent them a message", async () => {
    const senders: (string | undefined)[] = [];
    const front = defineActorKind<string>({
      name: "front",
      create: () => ({ receive: (to, ctx) => ctx.ask<number>(to, "ping").then((n) => n + 1) }),
    });
    const back = defineActorKind<string>({
      name: "back",
      create: () => ({
        receive: (_m, ctx) => {
          senders.push(ctx.sender);
          return 41;
        },
      }),
    });
    const { system } = await start([front, back]);
    expect(await system.ask("front/1", "back/1")).toBe(42);
    expect(await system.ask("back/1", "direct")).toBe(41);
    expect(senders).toEqual(["front/1", undefined]);
  });
});

describe("scheduling", () => {
  it("runs what a pass set off on setImmediate from its microtasks (a model run of its rows) before the next pass, once a turn's budget is spent", async () => {
    let handled = 0;
    let handledWhenItRan = -1;
    const worker = defineActorKind<number>({
      name: "worker",
      create: () => ({
        receive(n) {
          handled++;
          // As the micro-batcher and onnxruntime do: the batch flushes when the task ends, the run starts on setImmediate.
          if (n === 0) queueMicrotask(() => setImmediate(() => (handledWhenItRan = handled)));
        },
      }),
    });
    const { system } = await start([worker]);
    // 3,000 messages over 60 actors: more than one turn's budget (1,024).
    for (let a = 0; a < 60; a++) for (let n = 0; n < 50; n++) system.tell(`worker/${a}`, a === 0 ? n : n + 1);
    await turns(20);
    expect(handled).toBe(3_000);
    // Right after the first pass: the turn's budget, overrun by less than one actor's batch of 64.
    expect(handledWhenItRan).toBeGreaterThanOrEqual(1_024);
    expect(handledWhenItRan).toBeLessThan(1_024 + 64);
  });

  it("calls onTurnEnd once after the messages an actor was handed in a row, having seen all of them", async () => {
    const ends: number[][] = [];
    const batcher = defineActorKind<number>({
      name: "batcher",
      create: () => {
        let seen: number[] = [];
        return {
          receive(n) {
            seen.push(n);
          },
          onTurnEnd() {
            ends.push(seen);
            seen = [];
          },
        };
      },
    });
    const { system } = await start([batcher]);
    // Queued before the shard runs: one turn takes them all (fewer than a turn's 64).
    for (let n = 0; n < 10; n++) system.tell("batcher/1", n);
    await turns(5);
    expect(ends).toEqual([[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]]);
    system.tell("batcher/1", 10);
    await turns(5);
    expect(ends).toEqual([[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [10]]);
  });

  it("supervises a throw from onTurnEnd like a throw from receive", async () => {
    let throwAtEnd = true;
    const fragile = defineActorKind<string>({
      name: "fragile",
      supervision: { strategy: "resume" },
      create: () => ({
        receive(m) {
          return m;
        },
        onTurnEnd() {
          if (throwAtEnd) {
            throwAtEnd = false;
            throw new Error("turn end boom");
          }
        },
      }),
    });
    const { system, events } = await start([fragile]);
    system.tell("fragile/1", "first");
    await turns(5);
    expect(events.of("actor-failed")).toEqual([expect.objectContaining({ address: "fragile/1", decision: "resume" })]);
    expect(await system.ask("fragile/1", "still serving")).toBe("still serving");
  });
});

describe("passivation", () => {
  const IDLE_MS = 1_000;
  const SWEEP_MS = 100;

  it("passivates an actor idle for idleMs: onDeactivate runs, it is counted, and it leaves memory", async () => {
    const { kind, life } = ledger("meter", { passivation: { idleMs: IDLE_MS } });
    // A checkpoint interval that never comes: the state can only be saved by passivation.
    const { system, clock } = await start([kind], { passivationSweepMs: SWEEP_MS, snapshotIntervalMs: 3_600_000 });
    expect(await system.ask("meter/U1", add(7))).toBe(7);

    clock.advance(IDLE_MS - SWEEP_MS);
    await turns();
    expect(life.deactivated).toBe(0);
    expect((await system.stats()).shards[0]?.activeActors).toBe(1);

    clock.advance(SWEEP_MS);
    await turns();
    expect(life.deactivated).toBe(1);
    const stats = await system.stats();
    expect(stats.kinds.meter?.passivations).toBe(1);
    expect(stats.shards[0]).toMatchObject({ activeActors: 0, storedSnapshots: 1 });
  });

  it("reactivates a passivated actor on its next message, with its restored state", async () => {
    const { kind, life } = ledger("meter", { passivation: { idleMs: IDLE_MS } });
    const { system, clock } = await start([kind], { passivationSweepMs: SWEEP_MS, snapshotIntervalMs: 3_600_000 });
    await system.ask("meter/U1", add(7));
    clock.advance(IDLE_MS);
    await turns();
    expect(life.deactivated).toBe(1);

    expect(await system.ask("meter/U1", add(1))).toBe(8);
    expect(life.created).toBe(2);
    expect(life.restored).toEqual([7]);
    const stats = await system.stats();
    expect(stats.kinds.meter).toMatchObject({ activations: 2, passivations: 1 });
    expect(stats.shards[0]?.activeActors).toBe(1);
  });

  it("measures idleness from the last message, so a busy actor stays active", async () => {
    const { kind, life } = ledger("meter", { passivation: { idleMs: IDLE_MS } });
    const { system, clock } = await start([kind], { passivationSweepMs: SWEEP_MS });
    for (let i = 0; i < 5; i++) {
      await system.ask("meter/U1", add(1));
      clock.advance(IDLE_MS - SWEEP_MS);
      await turns();
    }
    expect(life.deactivated).toBe(0);
    clock.advance(SWEEP_MS);
    await turns();
    expect(life.deactivated).toBe(1);
  });

  it("never passivates a kind with idleMs 0", async () => {
    const { kind, life } = ledger("meter", { passivation: { idleMs: 0 } });
    const { system, clock } = await start([kind], { passivationSweepMs: SWEEP_MS });
    await system.ask("meter/U1", add(1));
    clock.advance(1_000 * IDLE_MS);
    await turns();
    expect(life.deactivated).toBe(0);
    expect((await system.stats()).shards[0]?.activeActors).toBe(1);
  });

  it("stopping the system passivates every actor and fails the asks still pending", async () => {
    const { kind, life } = ledger("meter");
    const slow = gate("slow");
    const { system } = await start([kind, slow.kind]);
    await system.ask("meter/U1", add(1));
    await system.ask("meter/U2", add(1));
    const pending = system.ask("slow/1", "never answered");
    await turns();
    await system.stop();
    expect(life.deactivated).toBe(2);
    await expectCode(pending, "VIGIL_SYSTEM_STOPPED");
  });

  it("handles nothing once stopped: messages still queued and messages sent later are VIGIL_SYSTEM_STOPPED dead letters", async () => {
    const { kind, life } = ledger("meter");
    const { system, events } = await start([kind]);
    await system.ask("meter/U1", add(1));
    system.tell("meter/U1", add(2)); // queued, not yet handled
    const queued = observe(system.ask("meter/U1", add(3)));
    await system.stop();
    await turns();
    expect(life.handled).toEqual([add(1)]);
    await expectCode(queued.promise, "VIGIL_SYSTEM_STOPPED");
    expect(system.tell("meter/U1", add(4))).toBe(false);
    await expectCode(system.ask("meter/U1", GET), "VIGIL_SYSTEM_STOPPED");
    expect(life.handled).toEqual([add(1)]);
    expect(events.of("dead-letter").every((e) => e.code === "VIGIL_SYSTEM_STOPPED")).toBe(true);
    expect((await system.stats()).shards[0]?.activeActors).toBe(0);
  });
});

describe("ask", () => {
  it("rejects with VIGIL_ASK_TIMEOUT when no reply comes within timeoutMs", async () => {
    const slow = gate("slow");
    const { system, clock } = await start([slow.kind]);
    const reply = observe(system.ask("slow/1", "q", { timeoutMs: 50 }));
    await turns();
    expect(slow.pending).toHaveLength(1);
    clock.advance(49);
    await turns();
    expect(reply.state()).toBe("pending");
    clock.advance(1);
    await expectCode(reply.promise, "VIGIL_ASK_TIMEOUT");
  });

  it("times out after the system's askTimeoutMs by default", async () => {
    const slow = gate("slow");
    const { system, clock } = await start([slow.kind], { askTimeoutMs: 2_000 });
    const reply = observe(system.ask("slow/1", "q"));
    await turns();
    clock.advance(1_999);
    await turns();
    expect(reply.state()).toBe("pending");
    clock.advance(1);
    await expectCode(reply.promise, "VIGIL_ASK_TIMEOUT");
  });

  it("ignores a reply that comes after the timeout: no later ask receives it", async () => {
    const slow = gate("slow");
    const { system, clock } = await start([slow.kind]);
    const first = system.ask("slow/1", "first", { timeoutMs: 50 });
    await turns();
    clock.advance(50);
    await expectCode(first, "VIGIL_ASK_TIMEOUT");

    const second = observe(system.ask("slow/1", "second", { timeoutMs: 10_000 }));
    slow.release("late reply to first"); // handled now; the second message is next
    await turns();
    expect(second.state()).toBe("pending");
    expect(slow.pending).toHaveLength(1);
    slow.release("reply to second");
    expect(await second.promise).toBe("reply to second");
    expect((await system.stats()).shards[0]?.pendingAsks).toBe(0);
  });
});

describe("bounded mailboxes", () => {
  it("drop-oldest drops the oldest messages, counts them, and reports each as a VIGIL_MAILBOX_FULL dead letter", async () => {
    const { kind, life } = ledger("buffer", { mailbox: { capacity: 4, overflow: "drop-oldest" } });
    const { system, events } = await start([kind]);
    await system.ask("buffer/U1", GET); // active and idle
    const oldest = system.ask("buffer/U1", add(1));
    // Everything below lands before the shard runs: 6 messages for 4 places.
    for (let n = 2; n <= 6; n++) expect(system.tell("buffer/U1", add(n))).toBe(true);
    await expectCode(oldest, "VIGIL_MAILBOX_FULL");
    await turns(); // let the shard drain before the next message
    expect(await system.ask("buffer/U1", GET)).toBe(3 + 4 + 5 + 6);
    expect(life.handled.slice(1)).toEqual([add(3), add(4), add(5), add(6), GET]);
    expect(events.of("dead-letter").map((e) => [e.address, e.code])).toEqual([
      ["buffer/U1", "VIGIL_MAILBOX_FULL"],
      ["buffer/U1", "VIGIL_MAILBOX_FULL"],
    ]);
    expect((await system.stats()).kinds.buffer?.dropped).toBe(2);
  });

  it("backpressure refuses a tell when the mailbox is full (false), loses nothing accepted, and is writable once drained", async () => {
    const { kind, life } = ledger("strict", { mailbox: { capacity: 4, overflow: "backpressure" } });
    const { system, events } = await start([kind]);
    const accepted = [1, 2, 3, 4].map((n) => system.tell("strict/U1", add(n)));
    expect(accepted).toEqual([true, true, true, true]);
    expect(system.tell("strict/U1", add(100))).toBe(false);
    await expectCode(system.ask("strict/U1", add(1_000)), "VIGIL_MAILBOX_FULL");

    await system.whenWritable("strict/U1");
    expect(system.tell("strict/U1", add(5))).toBe(true);
    expect(await system.ask("strict/U1", GET)).toBe(1 + 2 + 3 + 4 + 5);
    expect(life.handled).toEqual([add(1), add(2), add(3), add(4), add(5), GET]);
    expect((await system.stats()).kinds.strict).toMatchObject({ refused: 2, dropped: 0 });
    expect(events.of("dead-letter")).toEqual([]); // a refusal is the sender's to handle, not a dead letter
  });
});

describe("bad input", () => {
  it("a message to an unknown kind: the ask rejects with VIGIL_UNKNOWN_ACTOR_KIND, a dead letter is reported, tell says false", async () => {
    const { kind } = ledger("meter");
    const { system, events } = await start([kind]);
    await expectCode(system.ask("nosuch/U1", GET), "VIGIL_UNKNOWN_ACTOR_KIND");
    expect(system.tell("nosuch/U1", GET)).toBe(false);
    expect(system.tell("no-slash-at-all", GET)).toBe(false);
    expect(events.of("dead-letter").map((e) => [e.address, e.code])).toEqual([
      ["nosuch/U1", "VIGIL_UNKNOWN_ACTOR_KIND"],
      ["nosuch/U1", "VIGIL_UNKNOWN_ACTOR_KIND"],
      ["no-slash-at-all", "VIGIL_UNKNOWN_ACTOR_KIND"],
    ]);
    expect(await system.ask("meter/U1", add(1))).toBe(1);
  });

  it("an address with a kind but no id: the ask rejects with VIGIL_ADDRESS_INVALID and the shard keeps serving", async () => {
    const { kind } = ledger("meter");
    const { system, events } = await start([kind]);
    await expectCode(system.ask("meter/", GET), "VIGIL_ADDRESS_INVALID");
    expect(system.tell("meter/", GET)).toBe(false);
    expect(events.of("dead-letter").map((e) => e.code)).toEqual(["VIGIL_ADDRESS_INVALID", "VIGIL_ADDRESS_INVALID"]);
    expect(await system.ask("meter/U1", add(1))).toBe(1);
  });

  it("a handler that throws: the asker gets VIGIL_ACTOR_FAILED and other actors keep serving", async () => {
    const { kind } = ledger("meter");
    const { system } = await start([kind]);
    await system.ask("meter/U1", add(1));
    await system.ask("meter/U2", add(2));
    const err = await expectCode(system.ask("meter/U1", FAIL), "VIGIL_ACTOR_FAILED");
    expect(err.message).toContain("meter was told to fail");
    expect(await system.ask("meter/U2", add(1))).toBe(3);
    expect(await system.ask("meter/U3", add(5))).toBe(5);
  });

  it("a handler that rejects asynchronously is supervised like one that throws", async () => {
    const broken = defineActorKind<unknown>({
      name: "broken",
      supervision: { strategy: "resume" },
      create: () => ({ receive: (m) => (m === "boom" ? Promise.reject(new Error("async boom")) : Promise.resolve(m)) }),
    });
    const { system, events } = await start([broken]);
    const err = await expectCode(system.ask("broken/1", "boom"), "VIGIL_ACTOR_FAILED");
    expect(err.message).toContain("async boom");
    expect(await system.ask("broken/1", "fine")).toBe("fine");
    expect(events.of("actor-failed")).toEqual([expect.objectContaining({ address: "broken/1", decision: "resume" })]);
  });
});
