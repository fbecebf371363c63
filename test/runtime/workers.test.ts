/**
 * The actor contract across shard worker threads (workers: 2, kinds loaded
 * from test/fixtures/kinds.ts): placement, per-sender ordering across
 * workers, crash recovery with exact loss accounting, the in-flight budget,
 * and values that cannot cross a thread. Workers run on the system clock, so
 * every wait here is for a reply or an event, never a sleep.
 */
import { threadId } from "node:worker_threads";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createActorSystem, defineActorKind, fnv1a32, type ActorSystem, type ActorSystemOptions } from "../../src/runtime/index.js";
import { EventLog, expectCode, KIND_MODULE, observe, silentLog, turns } from "../fixtures/actor-system.js";
import { until } from "../fixtures/until.js";

const WORKERS = 2;

async function startPool(options: Partial<ActorSystemOptions> = {}): Promise<{ system: ActorSystem; events: EventLog }> {
  const system = await createActorSystem({ workers: WORKERS, kindModules: [KIND_MODULE], log: silentLog, ...options });
  return { system, events: new EventLog(system) };
}

/** The first `count` unit names starting with `prefix` that FNV-1a places on `worker`. */
function unitsOn(worker: number, count: number, prefix = "U"): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < count; i++) if (fnv1a32(`${prefix}${i}`) % WORKERS === worker) out.push(`${prefix}${i}`);
  return out;
}
const unitOn = (worker: number, prefix = "U"): string => unitsOn(worker, 1, prefix)[0] as string;

const add = (n: number) => ({ type: "add", n }) as const;
const GET = { type: "get" } as const;
const EXIT = { type: "exit-worker" } as const;

interface History {
  count: number;
  last: Record<string, number>;
  outOfOrder: number;
}

describe("a running pool", () => {
  let system: ActorSystem;
  let events: EventLog;
  beforeAll(async () => {
    ({ system, events } = await startPool());
  });
  afterAll(async () => {
    await system.stop();
  });

  describe("placement", () => {
    it("puts all sensors of one unit on one worker: the one FNV-1a of the unit picks", async () => {
      const units = ["UNIT001", "UNIT002", "UNIT003", "UNIT004", "UNIT005", "UNIT006"];
      const used = new Set<number>();
      for (const unit of units) {
        const placed = await Promise.all(
          ["temperature", "vibration", "pressure/inlet", "pressure/outlet"].map((s) => system.ask<number>(`where/${unit}/${s}`, "?")),
        );
        expect(new Set(placed), unit).toEqual(new Set([fnv1a32(unit) % WORKERS]));
        used.add(placed[0] as number);
      }
      expect(used).toEqual(new Set([0, 1])); // the units chosen do exercise both workers
    });

    it("follows a kind's own partitionKey (defineActorKind) when it declares one", async () => {
      for (const line of ["LINE1", "LINE2", "LINE3", "LINE4"]) {
        const placed = await Promise.all(["PLANT-A/x", "PLANT-B/y", "PLANT-C/z/w"].map((p) => system.ask<number>(`where-line/${p.split("/")[0]}/${line}/${p}`, "?")));
        expect(new Set(placed), line).toEqual(new Set([fnv1a32(line) % WORKERS]));
      }
    });
  });

  describe("ordering", () => {
    it("delivers each sender's messages to one actor strictly in order, with concurrent senders on both workers, and the total is exact", async () => {
      const sink = `counter/${unitOn(0, "SINK")}`;
      // Two relays on the sink's own worker (local delivery) and two on the other (cross-worker).
      const relays = [...unitsOn(0, 2, "R"), ...unitsOn(1, 2, "R")].map((unit) => `relay/${unit}/r`);
      const N = 200; // per sender; all senders together stay below the sink's mailbox capacity
      const failuresBefore = events.of("actor-failed").length;
      for (let seq = 0; seq < N - 1; seq++) {
        for (const relay of relays) expect(system.tell(relay, { to: sink, n: 1, seq })).toBe(true);
        expect(system.tell(sink, { type: "add", n: 1, seq, source: "main" })).toBe(true);
      }
      // Each relay's last message is an ask through to the sink: once all are
      // answered, everything every relay sent before has been handled.
      await Promise.all(relays.map((relay) => system.ask(relay, { to: sink, n: 1, seq: N - 1, ask: true })));
      system.tell(sink, { type: "add", n: 1, seq: N - 1, source: "main" });
      const history = await system.ask<History>(sink, { type: "history" });

      expect(history.outOfOrder).toBe(0);
      expect(history.count).toBe(N * (relays.length + 1));
      expect(history.last).toEqual(Object.fromEntries([...relays, "main"].map((s) => [s, N - 1])));
      expect(events.of("actor-failed").length).toBe(failuresBefore); // no relay was refused
    });
  });

  describe("latest-wins mailboxes (coalesce)", () => {
    it("merge the tells of actors on the receiver's own worker, and queue each from another thread on its own", async () => {
      const unit = unitOn(0, "MERGE");
      const sink = `merging-counter/${unit}`;
      const relay = `relay/${unit}/r`; // the sink's worker: its tells are local there
      const N = 200;
      const coalesced = async (): Promise<number> => (await system.stats()).kinds["merging-counter"]?.coalesced ?? 0;
      for (let i = 0; i < N; i++) expect(system.tell(sink, { type: "add", n: 1, source: "main" })).toBe(true);
      expect(await system.ask(sink, GET)).toBe(N);
      expect(await coalesced()).toBe(0);
      for (let i = 0; i < N; i++) expect(system.tell(relay, { to: sink, n: 1, source: "relay" })).toBe(true);
      // Asked through the relay: answered once everything it told before was handled.
      expect(await system.ask(relay, { to: sink, n: 0, source: "relay", ask: true })).toBe(2 * N);
      expect(await coalesced()).toBeGreaterThan(0);
    });
  });

  describe("bad input", () => {
    it("a message to an unknown kind: the ask rejects with VIGIL_UNKNOWN_ACTOR_KIND and a dead letter is reported", async () => {
      await expectCode(system.ask("nosuch/U1", GET), "VIGIL_UNKNOWN_ACTOR_KIND");
      expect(system.tell("nosuch/U2", GET)).toBe(false);
      expect(events.of("dead-letter").filter((e) => e.address.startsWith("nosuch/")).map((e) => e.code)).toEqual([
        "VIGIL_UNKNOWN_ACTOR_KIND",
        "VIGIL_UNKNOWN_ACTOR_KIND",
      ]);
    });

    it("an address with a kind but no id is rejected with VIGIL_ADDRESS_INVALID and crashes no worker", async () => {
      await expectCode(system.ask("counter/", GET), "VIGIL_ADDRESS_INVALID");
      expect(await system.ask(`counter/${unitOn(0)}/alive`, add(1))).toBe(1);
      expect(await system.ask(`counter/${unitOn(1)}/alive`, add(1))).toBe(1);
      expect(events.of("worker-crashed")).toEqual([]);
    });

    it("a handler that throws: the asker gets VIGIL_ACTOR_FAILED, the failure is counted, other actors keep serving", async () => {
      const failing = `counter/${unitOn(0)}/failing`;
      const before = (await system.stats()).kinds.counter?.failures ?? 0;
      await system.ask(failing, add(1));
      await expectCode(system.ask(failing, { type: "fail" }), "VIGIL_ACTOR_FAILED");
      expect(await system.ask(`counter/${unitOn(0)}/neighbour`, add(2))).toBe(2);
      expect(await system.ask(`counter/${unitOn(1)}/elsewhere`, add(3))).toBe(3);
      await events.next("actor-failed", (e) => e.address === failing);
      expect((await system.stats()).kinds.counter?.failures).toBe(before + 1);
    });

    it("a value that cannot cross a worker boundary: that ask rejects with VIGIL_NOT_CLONEABLE, the rest of its batch is delivered", async () => {
      const unit = unitOn(1, "B");
      const target = `counter/${unit}/batch`;
      // All of this goes to one worker in one batch.
      expect(system.tell(target, add(1))).toBe(true);
      const fn = system.ask(`echo/${unit}`, { callback: () => 1 });
      expect(system.tell(target, add(2))).toBe(true);
      const sym = system.ask(`echo/${unit}`, Symbol("not cloneable"));
      expect(system.tell(target, add(3))).toBe(true);
      const echoed = system.ask(`echo/${unit}`, { fine: [1, 2, 3] });
      await expectCode(fn, "VIGIL_NOT_CLONEABLE");
      await expectCode(sym, "VIGIL_NOT_CLONEABLE");
      expect(await echoed).toEqual({ fine: [1, 2, 3] });
      expect(await system.ask(target, GET)).toBe(6);
      expect(events.of("dead-letter").filter((e) => e.address === `echo/${unit}`).map((e) => e.code)).toEqual([
        "VIGIL_NOT_CLONEABLE",
        "VIGIL_NOT_CLONEABLE",
      ]);
      expect(await system.ask(`echo/${unitOn(0)}`, "still serving")).toBe("still serving");
    });

    it("a reply that cannot cross back: the asker gets VIGIL_NOT_CLONEABLE and the actor keeps serving", async () => {
      const echo = `echo/${unitOn(0, "E")}`;
      await expectCode(system.ask(echo, "uncloneable-reply"), "VIGIL_NOT_CLONEABLE");
      expect(await system.ask(echo, "plain")).toBe("plain");
    });
  });

  describe("drop-oldest", () => {
    it("drops the oldest messages in the worker, counts them and reports VIGIL_MAILBOX_FULL dead letters", async () => {
      const lossy = `lossy/${unitOn(1, "L")}`;
      const before = (await system.stats()).kinds.lossy?.dropped ?? 0;
      // One batch of 10 for a 4-message mailbox: the worker queues them all before it runs the actor.
      for (let n = 1; n <= 10; n++) expect(system.tell(lossy, add(n))).toBe(true);
      const drops = (): number => events.of("dead-letter").filter((e) => e.address === lossy).length;
      await events.next("dead-letter", () => drops() >= 6);
      expect(await system.ask(lossy, GET)).toBe(7 + 8 + 9 + 10);
      expect(events.of("dead-letter").filter((e) => e.address === lossy).every((e) => e.code === "VIGIL_MAILBOX_FULL")).toBe(true);
      expect((await system.stats()).kinds.lossy?.dropped).toBe(before + 6);
    });
  });
});

describe("actors hosted on the calling thread (hostHere)", () => {
  it("live beside the workers: addressed like any actor, they ask and tell actors on the workers, and are counted apart from the workers' shards", async () => {
    const { system } = await startPool();
    const teller = `counter/${unitOn(0)}`;
    const asked = `counter/${unitOn(1)}`;
    const thread = threadId;
    // Holds what only this thread has (its thread id) and relays to the workers.
    system.hostHere([
      defineActorKind<{ add: number }>({
        name: "here-relay",
        create: () => ({
          async receive(m, ctx) {
            ctx.tell(teller, add(m.add));
            return { thread, count: await ctx.ask<number>(asked, add(m.add)) };
          },
        }),
      }),
    ]);
    try {
      expect(await system.ask("here-relay/a", { add: 2 })).toEqual({ thread, count: 2 });
      expect(await system.ask("here-relay/a", { add: 3 })).toEqual({ thread, count: 5 });
      expect(await system.ask(teller, GET)).toBe(5);
      const stats = await system.stats();
      expect(stats.kinds["here-relay"]).toMatchObject({ activations: 1, processed: 2 });
      expect(stats.here).toMatchObject({ activeActors: 1 });
      expect(stats.shards.reduce((n, s) => n + s.activeActors, 0)).toBe(2);
    } finally {
      await system.stop();
    }
  });

  it("refuses a kind whose name the system already has (VIGIL_CONFIG_INVALID)", async () => {
    const { system } = await startPool();
    try {
      expect(() => system.hostHere([defineActorKind({ name: "counter", create: () => ({ receive: () => undefined }) })])).toThrow(expect.objectContaining({ code: "VIGIL_CONFIG_INVALID" }));
    } finally {
      await system.stop();
    }
  });
});

describe("a stopped pool", () => {
  it("refuses what is sent after stop: tell says false, an ask rejects with VIGIL_SYSTEM_STOPPED", async () => {
    const { system, events } = await startPool();
    const target = `counter/${unitOn(0)}`;
    expect(await system.ask(target, add(1))).toBe(1);
    await system.stop();
    expect(system.tell(target, add(1))).toBe(false);
    await expectCode(system.ask(target, GET, { timeoutMs: 60_000 }), "VIGIL_SYSTEM_STOPPED");
    expect(events.of("dead-letter").map((e) => e.code)).toEqual(["VIGIL_SYSTEM_STOPPED", "VIGIL_SYSTEM_STOPPED"]);
  });
});

describe("backpressure across workers", () => {
  const BUDGET = 8;
  let system: ActorSystem;
  afterEach(async () => {
    await system.stop();
  });

  it("tell returns false once the worker's in-flight budget is reached, and whenWritable resolves once it drains", async () => {
    ({ system } = await startPool({ inflightBudget: BUDGET }));
    const target = `counter/${unitOn(0)}`;
    // Nothing is posted before this tick ends, so the worker cannot have released any credit yet.
    for (let i = 0; i < BUDGET; i++) expect(system.tell(target, add(1))).toBe(true);
    expect(system.tell(target, add(1))).toBe(false);
    await expectCode(system.ask(target, GET), "VIGIL_MAILBOX_FULL");
    // The budget is per worker: the other worker still accepts.
    expect(system.tell(`counter/${unitOn(1)}`, add(1))).toBe(true);

    await system.whenWritable(target);
    expect(system.tell(target, add(1))).toBe(true);
    expect(await system.ask(target, GET)).toBe(BUDGET + 1);
    expect((await system.stats()).kinds.counter?.refused).toBe(2);
  });

  it("loses nothing that was accepted when a sender waits on whenWritable after each refusal", async () => {
    ({ system } = await startPool({ inflightBudget: BUDGET }));
    const target = `counter/${unitOn(1)}`;
    const TOTAL = 2_000;
    let accepted = 0;
    let refusals = 0;
    while (accepted < TOTAL) {
      if (system.tell(target, add(1))) accepted++;
      else {
        refusals++;
        await system.whenWritable(target);
      }
    }
    expect(refusals).toBeGreaterThan(0);
    await system.whenWritable(target); // an ask is held to the same budget
    expect(await system.ask(target, GET)).toBe(TOTAL);
    expect((await system.stats()).kinds.counter?.refused).toBe(refusals);
  });

  it("releases the budget when an asynchronous handler finishes, so whenWritable resolves", { timeout: 5_000 }, async () => {
    ({ system } = await startPool({ inflightBudget: 1 }));
    const target = `lazy-counter/${unitOn(0)}`;
    expect(system.tell(target, add(1))).toBe(true);
    expect(system.tell(target, add(1))).toBe(false);
    await system.whenWritable(target);
    expect(system.tell(target, add(1))).toBe(true);
    await system.whenWritable(target);
    expect(await system.ask(target, GET)).toBe(2);
  });
});

describe("credit held past handling", () => {
  let system: ActorSystem;
  afterEach(async () => {
    await system.stop();
  });

  it("keeps the sender's in-flight budget taken until the actor finishes the message, not just until it has handled it", async () => {
    const published: string[] = [];
    ({ system } = await startPool({ inflightBudget: 1, outlet: (subject) => published.push(subject) }));
    const target = `finisher/${unitOn(0)}`;
    expect(system.tell(target, { type: "start", afterMs: 300 })).toBe(true);
    await until(() => published.includes("finisher.started"), "the start handled");
    expect(system.tell(target, { type: "start", afterMs: 0 })).toBe(false); // handled, not finished: the credit is still out
    await system.whenWritable(target);
    expect(await system.ask(target, { type: "get" })).toBe(1);
  });
});

describe("a crashed worker", () => {
  let system: ActorSystem;
  let events: EventLog;
  afterEach(async () => {
    await system.stop();
  });

  it("comes back with its actors' state; what was in flight to it is counted as lost, exactly, and never redelivered", async () => {
    ({ system, events } = await startPool({ snapshotIntervalMs: 0 }));
    const victim = `counter/${unitOn(0)}`;
    const bystander = `counter/${unitOn(1)}`;
    for (let i = 0; i < 10; i++) system.tell(victim, add(1));
    expect(await system.ask(victim, GET)).toBe(10); // handled, and its snapshot is on the main thread
    const before = 10;

    const restarted = observe(events.next("worker-restarted", (e) => e.worker === 0));
    let sent = 0; // messages to the crashed worker from here on
    system.tell(victim, EXIT);
    sent++;
    const inFlightAsk = observe(system.ask(victim, GET));
    sent++;
    for (let i = 0; i < 20; i++) expect(system.tell(victim, add(1))).toBe(true);
    sent += 20;
    // Keep telling while it is down; the other worker keeps serving throughout.
    let served = 0;
    while (restarted.state() === "pending") {
      expect(system.tell(victim, add(1))).toBe(true);
      sent++;
      expect(await system.ask(bystander, add(1))).toBe(++served);
    }
    for (let i = 0; i < 10; i++) system.tell(victim, add(1));
    sent += 10;

    const after = await system.ask<number>(victim, GET); // answered by the replacement
    const crashed = await events.next("worker-crashed");
    expect(crashed.worker).toBe(0);
    expect(crashed.error.message).toContain("code 3");
    expect(after).toBeGreaterThanOrEqual(before);
    // Every message sent since the crash was either applied by the replacement or counted as lost.
    expect(crashed.lostMessages + (after - before)).toBe(sent);
    expect(crashed.lostMessages).toBeGreaterThanOrEqual(22); // the exit, the ask and the 20 adds in its batch
    expect((await system.stats()).lostInFlight).toBe(crashed.lostMessages);
    expect((await restarted.promise).restoredActors).toBeGreaterThanOrEqual(1);
    await expectCode(inFlightAsk.promise, "VIGIL_WORKER_CRASHED");
    expect(await system.ask(bystander, GET)).toBe(served);
  });

  it("brings an actor that snapshots by changes back from its last full snapshot and every change taken since, in order", async () => {
    ({ system, events } = await startPool({ snapshotIntervalMs: 0 }));
    const victim = `journal/${unitOn(0)}`;
    const numbers = Array.from({ length: 40 }, (_, i) => i * 7);
    for (const n of numbers) system.tell(victim, { type: "add", n });
    const before = await system.ask<{ entries: number[]; full: number }>(victim, GET);
    expect(before.entries).toEqual(numbers);
    // A snapshot after each message: full ones only when the changes on top reach the runtime's bound.
    expect(before.full).toBeGreaterThan(1);
    expect(before.full).toBeLessThan(numbers.length / 4);

    const restarted = events.next("worker-restarted", (e) => e.worker === 0);
    system.tell(victim, EXIT);
    await restarted;
    const after = await system.ask<{ entries: number[]; full: number }>(victim, GET);
    expect(after.entries).toEqual(numbers);
    expect(after.full).toBe(before.full);
  });

  it("brings back each of many actors whose snapshots crossed together with its own latest state", async () => {
    ({ system, events } = await startPool({ snapshotIntervalMs: 0 }));
    const unit = unitOn(0, "M");
    const counters = Array.from({ length: 60 }, (_, i) => `counter/${unit}/c${i}`);
    // Rounds of one add to each: every round's snapshots share slabs, and supersede the last round's.
    for (let round = 1; round <= 4; round++) for (const [i, c] of counters.entries()) if (round <= 2 || i % 2 === 0) system.tell(c, add(i + 1));
    const before = await Promise.all(counters.map((c) => system.ask<number>(c, GET)));
    expect(before).toEqual(counters.map((_, i) => (i % 2 === 0 ? 4 : 2) * (i + 1)));

    const restarted = events.next("worker-restarted", (e) => e.worker === 0);
    system.tell(`counter/${unit}`, EXIT);
    expect((await restarted).restoredActors).toBe(counters.length);
    expect(await Promise.all(counters.map((c) => system.ask<number>(c, GET)))).toEqual(before);
  });

  it("brings an actor back from the snapshots that reached main when one of its changes could not be cloned", async () => {
    ({ system, events } = await startPool({ snapshotIntervalMs: 0 }));
    const victim = `journal/${unitOn(0)}`;
    for (const n of [1, 2, 3]) system.tell(victim, { type: "add", n });
    // Its change stays on the worker, so the next snapshot is taken in full.
    system.tell(victim, { type: "add", n: 4, uncloneable: true });
    for (const n of [5, 6]) system.tell(victim, { type: "add", n });
    expect((await system.ask<{ entries: number[] }>(victim, GET)).entries).toEqual([1, 2, 3, 4, 5, 6]);

    const restarted = events.next("worker-restarted", (e) => e.worker === 0);
    system.tell(victim, EXIT);
    await restarted;
    expect((await system.ask<{ entries: number[] }>(victim, GET)).entries).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("answers every ask either with a VIGIL_WORKER_CRASHED rejection that had no effect, or with a reply, never both", async () => {
    ({ system, events } = await startPool({ snapshotIntervalMs: 0 }));
    const victim = `counter/${unitOn(1)}`;
    expect(await system.ask(victim, add(5))).toBe(5);
    const restarted = observe(events.next("worker-restarted", (e) => e.worker === 1));
    system.tell(victim, EXIT);
    const asks: Promise<"ok" | "crashed">[] = [];
    const send = (): void => {
      asks.push(
        system.ask(victim, add(1)).then(
          () => "ok" as const,
          (err: unknown) => {
            expect((err as { code?: string }).code).toBe("VIGIL_WORKER_CRASHED");
            return "crashed" as const;
          },
        ),
      );
    };
    // One ask per event-loop turn from the crash until it is reported: these
    // reach the dead worker or are held for its replacement. Then a few that
    // are surely held, and one to the replacement.
    const crashed = observe(events.next("worker-crashed"));
    while (crashed.state() === "pending") {
      send();
      await turns(1);
    }
    for (let i = 0; i < 10; i++) send();
    await restarted.promise;
    send();
    const outcomes = await Promise.all(asks);
    const answered = outcomes.filter((o) => o === "ok").length;
    expect(outcomes.filter((o) => o === "crashed").length).toBeGreaterThan(0);
    expect(await system.ask(victim, GET)).toBe(5 + answered);
  });

  // Known bug (see report): a worker settles a message as soon as it is handled,
  // but replicates the resulting snapshot only on its next outbox flush. A crash
  // in between (here: in the same drain pass) loses the effect of messages that
  // were counted as settled, so neither the state nor lostMessages has them.
  // Flip to `it` once shard-worker settles only what its flushed snapshots cover.
  it("fails an actor's ask to a crashed worker at once with VIGIL_WORKER_CRASHED instead of timing out", async () => {
    ({ system, events } = await startPool({ askTimeoutMs: 60_000 }));
    const victim = `counter/${unitOn(0, "V")}`;
    const asker = `relay/${unitOn(1, "R")}`;
    const outcome = system.ask(asker, { to: victim, n: 0, ask: true, forward: EXIT }).then(
      () => "answered",
      (err: Error) => err.message,
    );
    await events.next("worker-crashed");
    expect(await outcome).toMatch(/shard worker 0 crashed/);
  });

  it("counts messages handled just before the crash as lost when their snapshot never left the worker", async () => {
    ({ system, events } = await startPool({ snapshotIntervalMs: 0 }));
    const victim = `counter/${unitOn(0, "H")}`;
    expect(await system.ask(victim, add(100))).toBe(100);
    for (let i = 0; i < 5; i++) system.tell(victim, add(1)); // one batch: handled, then the exit, in one pass
    system.tell(victim, EXIT);
    const crashed = await events.next("worker-crashed");
    await events.next("worker-restarted");
    const after = await system.ask<number>(victim, GET);
    expect(crashed.lostMessages + (after - 100)).toBe(6);
  });
});
