/**
 * Supervision policies, run on the calling thread (workers: 0) with a
 * SimulatedClock, so backoff delays and restart windows are checked exactly
 * without waiting on real time. `snapshotIntervalMs: 0` snapshots after every
 * handled message, so "the last snapshot" is the state after the last success.
 */
import { describe, expect, it } from "vitest";
import type { SupervisionPolicy } from "../../src/runtime/index.js";
import { backoffDelay } from "../../src/runtime/supervision.js";
import { expectCode, inThreadSystems, observe, turns } from "../fixtures/actor-system.js";
import { guardian, ledger } from "../fixtures/in-thread-kinds.js";

const start = inThreadSystems({ snapshotIntervalMs: 0 });

function restart(overrides: Partial<Extract<SupervisionPolicy, { strategy: "restart" }>> = {}): SupervisionPolicy {
  return {
    strategy: "restart",
    maxRestarts: 5,
    withinMs: 60_000,
    backoff: { minMs: 100, maxMs: 500, factor: 2 },
    onExhausted: "stop",
    ...overrides,
  };
}

const add = (n: number) => ({ type: "add", n }) as const;
const GET = { type: "get" } as const;
const FAIL = { type: "fail" } as const;
const INSTANCE = { type: "instance" } as const;

describe("backoff", () => {
  it("is min·factor^n, capped at max", () => {
    const policy = { minMs: 100, maxMs: 1_000, factor: 3 };
    expect([0, 1, 2, 3, 4].map((n) => backoffDelay(policy, n))).toEqual([100, 300, 900, 1_000, 1_000]);
  });
});

describe("restart", () => {
  it("recreates the instance, which continues from its last snapshot", async () => {
    const { kind, life } = ledger("flaky", { supervision: restart() });
    const { system, clock } = await start([kind]);
    expect(await system.ask("flaky/U1", add(5))).toBe(5);
    await expectCode(system.ask("flaky/U1", FAIL), "VIGIL_ACTOR_FAILED");

    const back = system.ask("flaky/U1", INSTANCE);
    clock.advance(100);
    expect(await back).toBe(2);
    expect(await system.ask("flaky/U1", add(1))).toBe(6);
    expect(life.created).toBe(2);
    expect(life.restored).toEqual([5]);
  });

  it("queues messages during the backoff and handles them, in order, once the actor is back", async () => {
    const { kind, life } = ledger("flaky", { supervision: restart() });
    const { system, clock } = await start([kind]);
    await system.ask("flaky/U1", add(1));
    system.tell("flaky/U1", FAIL);
    for (let n = 2; n <= 5; n++) expect(system.tell("flaky/U1", add(n))).toBe(true);
    const total = system.ask("flaky/U1", GET);
    await turns();
    expect(life.handled).toEqual([add(1)]);
    clock.advance(100);
    expect(await total).toBe(1 + 2 + 3 + 4 + 5);
    expect(life.handled).toEqual([add(1), add(2), add(3), add(4), add(5), GET]);
  });

  it("waits min·factor^n before restart n, capped at max: not back a moment before, back right at it", async () => {
    const { kind } = ledger("flaky", { supervision: restart({ maxRestarts: 5, backoff: { minMs: 100, maxMs: 500, factor: 2 } }) });
    const { system, clock, events } = await start([kind]);
    await system.ask("flaky/U1", add(1));
    const delays = [100, 200, 400, 500, 500];
    for (const [n, delay] of delays.entries()) {
      await expectCode(system.ask("flaky/U1", FAIL), "VIGIL_ACTOR_FAILED");
      const back = observe(system.ask("flaky/U1", INSTANCE));
      clock.advance(delay - 1);
      await turns();
      expect(back.state(), `restart ${n} before ${delay} ms`).toBe("pending");
      clock.advance(1);
      expect(await back.promise, `restart ${n} at ${delay} ms`).toBe(n + 2);
    }
    expect(events.of("actor-failed").map((e) => e.decision)).toEqual(delays.map(() => "restart"));
    const stats = (await system.stats()).kinds.flaky;
    expect(stats).toMatchObject({ failures: 5, restarts: 5, stops: 0 });
  });

  it("stops the actor once maxRestarts is used up within the window (onExhausted: stop)", async () => {
    const { kind, life } = ledger("flaky", { supervision: restart({ maxRestarts: 2, withinMs: 10_000 }) });
    const { system, clock, events } = await start([kind]);
    await system.ask("flaky/U1", add(3));
    for (const delay of [100, 200]) {
      await expectCode(system.ask("flaky/U1", FAIL), "VIGIL_ACTOR_FAILED");
      clock.advance(delay);
    }
    await expectCode(system.ask("flaky/U1", FAIL), "VIGIL_ACTOR_FAILED");
    expect(events.of("actor-failed").map((e) => e.decision)).toEqual(["restart", "restart", "stop"]);
    expect((await system.stats()).kinds.flaky).toMatchObject({ failures: 3, restarts: 2, stops: 1 });
    // Stopped, not gone: the next message activates a fresh instance from the last snapshot, at once.
    expect(await system.ask("flaky/U1", GET)).toBe(3);
    expect(life.created).toBe(4);
  });

  it("escalates to the kind's parent once maxRestarts is used up (onExhausted: escalate)", async () => {
    const plant = guardian("plant");
    const { kind } = ledger("flaky", {
      supervision: restart({ maxRestarts: 2, withinMs: 10_000, onExhausted: "escalate" }),
      parent: (id) => `plant/${id.split("/")[0]}`,
    });
    const { system, clock, events } = await start([kind, plant.kind]);
    await system.ask("flaky/U1/pump", add(1));
    for (const delay of [100, 200]) {
      await expectCode(system.ask("flaky/U1/pump", FAIL), "VIGIL_ACTOR_FAILED");
      clock.advance(delay);
    }
    await expectCode(system.ask("flaky/U1/pump", FAIL), "VIGIL_ACTOR_FAILED");
    const escalated = await events.next("actor-escalated");
    expect(escalated).toMatchObject({ address: "flaky/U1/pump", parent: "plant/U1" });
    expect(await system.ask("plant/U1", "count")).toBe(1);
    expect(plant.notices).toEqual([
      {
        $vigil: "child-failed",
        child: "flaky/U1/pump",
        restarts: 2,
        error: { name: "Error", message: "flaky was told to fail" },
      },
    ]);
    expect(events.of("actor-failed").map((e) => e.decision)).toEqual(["restart", "restart", "escalate"]);
    expect((await system.stats()).kinds.flaky).toMatchObject({ failures: 3, restarts: 2, escalations: 1 });
  });

  it("forgets restarts older than the window: the next failure restarts again after minMs", async () => {
    const { kind } = ledger("flaky", { supervision: restart({ maxRestarts: 2, withinMs: 1_000 }) });
    const { system, clock, events } = await start([kind]);
    await system.ask("flaky/U1", add(1));
    for (const delay of [100, 200]) {
      await expectCode(system.ask("flaky/U1", FAIL), "VIGIL_ACTOR_FAILED");
      clock.advance(delay);
    }
    clock.advance(1_000); // both restarts are now older than withinMs
    await expectCode(system.ask("flaky/U1", FAIL), "VIGIL_ACTOR_FAILED");
    const back = observe(system.ask("flaky/U1", INSTANCE));
    clock.advance(99);
    await turns();
    expect(back.state()).toBe("pending");
    clock.advance(1);
    expect(await back.promise).toBe(4);
    expect(events.of("actor-failed").map((e) => e.decision)).toEqual(["restart", "restart", "restart"]);
  });

  it("restarts an actor whose creation failed, and hands it the message that activated it", async () => {
    const { kind, life } = ledger("fragile", { supervision: restart(), failCreates: 1 });
    const { system, clock, events } = await start([kind]);
    const first = observe(system.ask("fragile/U1", add(2)));
    await turns();
    expect(first.state()).toBe("pending");
    clock.advance(100);
    expect(await first.promise).toBe(2);
    expect(life.created).toBe(1);
    expect(events.of("actor-failed")).toHaveLength(1);
    expect((await system.stats()).kinds.fragile).toMatchObject({ failures: 1, restarts: 1 });
  });
});

describe("escalate", () => {
  it("stops the actor and sends ChildFailed to the kind's declared parent", async () => {
    const plant = guardian("plant");
    const { kind, life } = ledger("valve", { supervision: { strategy: "escalate" }, parent: (id) => `plant/${id.split("/")[0]}` });
    const { system, events } = await start([kind, plant.kind]);
    await system.ask("valve/U7/inlet", add(9));
    await expectCode(system.ask("valve/U7/inlet", FAIL), "VIGIL_ACTOR_FAILED");
    await events.next("actor-escalated");
    expect(await system.ask("plant/U7", "count")).toBe(1);
    expect(plant.notices[0]).toMatchObject({ $vigil: "child-failed", child: "valve/U7/inlet", restarts: 0 });
    expect(plant.notices[0]?.error.message).toBe("valve was told to fail");
    expect(events.of("actor-failed")).toEqual([expect.objectContaining({ address: "valve/U7/inlet", decision: "escalate" })]);
    expect((await system.stats()).kinds.valve).toMatchObject({ failures: 1, escalations: 1, restarts: 0 });
    // The next message starts a fresh instance from the last snapshot.
    expect(await system.ask("valve/U7/inlet", GET)).toBe(9);
    expect(life.created).toBe(2);
  });

  it("without a parent, stops the actor and reports the escalation as an event", async () => {
    const { kind } = ledger("valve", { supervision: { strategy: "escalate" } });
    const { system, events } = await start([kind]);
    await expectCode(system.ask("valve/U7", FAIL), "VIGIL_ACTOR_FAILED");
    expect(await events.next("actor-escalated")).toMatchObject({ address: "valve/U7", parent: undefined });
    expect((await system.stats()).kinds.valve).toMatchObject({ failures: 1, escalations: 1 });
  });
});

describe("resume", () => {
  it("keeps the instance and its in-memory state, and drops only the failing message", async () => {
    // No snapshots: the state can only have survived in memory.
    const { kind, life } = ledger("gauge", { supervision: { strategy: "resume" }, snapshots: false });
    const { system, events } = await start([kind]);
    expect(system.tell("gauge/U1", add(2))).toBe(true);
    expect(system.tell("gauge/U1", FAIL)).toBe(true);
    expect(system.tell("gauge/U1", add(3))).toBe(true);
    expect(await system.ask("gauge/U1", GET)).toBe(5);
    await expectCode(system.ask("gauge/U1", FAIL), "VIGIL_ACTOR_FAILED");
    expect(await system.ask("gauge/U1", INSTANCE)).toBe(1);
    expect(life.created).toBe(1);
    expect(life.handled).toEqual([add(2), add(3), GET, INSTANCE]);
    expect(events.of("actor-failed").map((e) => e.decision)).toEqual(["resume", "resume"]);
    expect((await system.stats()).kinds.gauge).toMatchObject({ failures: 2, restarts: 0, stops: 0 });
  });
});

describe("stop", () => {
  it("turns the queued messages into dead letters (VIGIL_ACTOR_STOPPED)", async () => {
    const { kind, life } = ledger("motor", { supervision: { strategy: "stop" } });
    const { system, events } = await start([kind]);
    expect(await system.ask("motor/U1", add(4))).toBe(4);
    // Queued behind the failing message, before the shard runs.
    system.tell("motor/U1", FAIL);
    system.tell("motor/U1", add(10));
    const queuedAsk = system.ask("motor/U1", add(100));
    await expectCode(queuedAsk, "VIGIL_ACTOR_STOPPED");
    const dead = events.of("dead-letter");
    expect(dead.map((e) => [e.address, e.code])).toEqual([
      ["motor/U1", "VIGIL_ACTOR_STOPPED"],
      ["motor/U1", "VIGIL_ACTOR_STOPPED"],
    ]);
    expect(life.handled).toEqual([add(4)]);
    expect(events.of("actor-failed").map((e) => e.decision)).toEqual(["stop"]);
    expect((await system.stats()).kinds.motor).toMatchObject({ failures: 1, stops: 1, restarts: 0 });
  });

  it("lets the next message activate a fresh instance from the last snapshot", async () => {
    const { kind, life } = ledger("motor", { supervision: { strategy: "stop" } });
    const { system } = await start([kind]);
    await system.ask("motor/U1", add(4));
    await expectCode(system.ask("motor/U1", FAIL), "VIGIL_ACTOR_FAILED");
    expect(await system.ask("motor/U1", INSTANCE)).toBe(2);
    expect(await system.ask("motor/U1", add(1))).toBe(5);
    expect(life.restored).toEqual([4]);
    expect((await system.stats()).kinds.motor).toMatchObject({ activations: 2 });
  });

  it("dead-letters the message that activated an actor whose creation failed, instead of losing it", async () => {
    const { kind } = ledger("motor", { supervision: { strategy: "stop" }, failCreates: 1 });
    const { system, events } = await start([kind]);
    const first = observe(system.ask("motor/U1", add(1)));
    await turns();
    expect(first.state()).toBe("rejected");
    await expectCode(first.promise, "VIGIL_ACTOR_STOPPED");
    expect(events.of("dead-letter")).toEqual([expect.objectContaining({ address: "motor/U1", code: "VIGIL_ACTOR_STOPPED" })]);
    // Creation works the second time: the actor serves.
    expect(await system.ask("motor/U1", add(2))).toBe(2);
  });
});

describe("every failure", () => {
  it("emits an actor-failed event and is counted in the kind's failures, whatever the policy", async () => {
    const kinds = {
      r: ledger("r", { supervision: restart() }),
      u: ledger("u", { supervision: { strategy: "resume" } }),
      s: ledger("s", { supervision: { strategy: "stop" } }),
      e: ledger("e", { supervision: { strategy: "escalate" } }),
    };
    const { system, clock, events } = await start(Object.values(kinds).map((k) => k.kind));
    for (const name of ["r", "u", "s", "e"]) {
      for (let i = 0; i < 3; i++) {
        await expectCode(system.ask(`${name}/U1`, FAIL), "VIGIL_ACTOR_FAILED");
        clock.advance(1_000); // past any backoff, so the restarted actor is back
      }
    }
    const stats = (await system.stats()).kinds;
    for (const name of ["r", "u", "s", "e"]) {
      expect(stats[name]?.failures, name).toBe(3);
      const failed = events.of("actor-failed").filter((e) => e.address === `${name}/U1`);
      expect(failed, name).toHaveLength(3);
      expect(failed[0]?.error).toEqual({ name: "Error", message: `${name} was told to fail` });
    }
  });
});
