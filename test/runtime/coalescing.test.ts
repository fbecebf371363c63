/**
 * Latest-wins mailboxes (ActorKind.coalesce), on a shard on the calling
 * thread: a tell with a key merges into the waiting message of its key
 * instead of queueing behind it. The gauge below keeps each key's latest
 * value and sums what it was told (`count`), so a lost or doubled message
 * shows in its totals.
 */
import { describe, expect, it } from "vitest";
import { defineActorKind, type ActorKind, type Coalescing, type MailboxPolicy } from "../../src/runtime/index.js";
import { inThreadSystems, turns } from "../fixtures/actor-system.js";

const start = inThreadSystems();

interface Reading {
  key: string;
  value: number;
  count: number;
}

const reading = (key: string, value: number): Reading => ({ key, value, count: 1 });
const MARK = "mark";
const GET = "get";

function isReading(m: unknown): m is Reading {
  return typeof m === "object" && m !== null && "key" in m;
}

const latest: Coalescing<Reading | string> = {
  key: (m) => (isReading(m) ? m.key : undefined),
  merge: (queued, next) => {
    const q = queued as Reading;
    const n = next as Reading;
    return { key: n.key, value: n.value, count: q.count + n.count };
  },
};

/** What a gauge saw: every message it handled, in order, and the messages of each of its turns. */
interface Seen {
  handled: (Reading | string)[];
  turns: (Reading | string)[][];
}

/** Keeps each key's latest value and the sum of its counts; answers GET with them, a reading with its value. */
function gauge(name: string, options: { coalesce?: boolean; mailbox?: Partial<MailboxPolicy> } = {}): { kind: ActorKind<Reading | string>; seen: Seen } {
  const seen: Seen = { handled: [], turns: [] };
  const kind = defineActorKind<Reading | string>({
    name,
    ...(options.coalesce === false ? {} : { coalesce: latest }),
    ...(options.mailbox === undefined ? {} : { mailbox: options.mailbox }),
    create: () => {
      const values: Record<string, { value: number; count: number }> = {};
      let turn: (Reading | string)[] = [];
      return {
        receive(m) {
          seen.handled.push(m);
          turn.push(m);
          if (isReading(m)) {
            const v = (values[m.key] ??= { value: 0, count: 0 });
            v.value = m.value;
            v.count += m.count;
          }
          return m === GET ? values : isReading(m) ? m.value : undefined;
        },
        onTurnEnd() {
          seen.turns.push(turn);
          turn = [];
        },
      };
    },
  });
  return { kind, seen };
}

/** For each number above 0 it gets, tells `target` a reading of its own key: a sensor with an update per reading. */
function sender(target: string): ActorKind<number> {
  return defineActorKind<number>({
    name: "sender",
    create: (id) => ({
      receive(n, ctx) {
        // A refusal is counted by the receiver's kind (`refused`).
        if (n > 0) ctx.tell(target, reading(id, n));
      },
    }),
  });
}

describe("a kind that coalesces its messages", () => {
  it("merges a tell into the waiting one of its key: the actor handles one message that leaves it as all of them would", async () => {
    const { kind, seen } = gauge("gauge");
    const { system } = await start([kind]);
    for (let i = 1; i <= 100; i++) system.tell("gauge/1", reading(i % 2 === 0 ? "a" : "b", i));
    expect(await system.ask("gauge/1", GET)).toEqual({ b: { value: 99, count: 50 }, a: { value: 100, count: 50 } });
    expect(seen.handled).toEqual([{ key: "b", value: 99, count: 50 }, { key: "a", value: 100, count: 50 }, GET]);
    expect((await system.stats()).kinds.gauge).toMatchObject({ processed: 3, coalesced: 98 });
  });

  it("keeps the waiting message's place: what was queued between the two is handled after the merged one", async () => {
    const { kind, seen } = gauge("gauge");
    const { system } = await start([kind]);
    system.tell("gauge/1", reading("a", 1));
    system.tell("gauge/1", MARK);
    system.tell("gauge/1", reading("a", 2));
    await system.ask("gauge/1", GET);
    expect(seen.handled).toEqual([{ key: "a", value: 2, count: 2 }, MARK, GET]);
  });

  it("queues a tell afresh once the one of its key was handed to the actor", async () => {
    const { kind, seen } = gauge("gauge");
    const { system } = await start([kind]);
    system.tell("gauge/1", reading("a", 1));
    await system.ask("gauge/1", GET);
    system.tell("gauge/1", reading("a", 2));
    expect(await system.ask("gauge/1", GET)).toEqual({ a: { value: 2, count: 2 } });
    expect(seen.handled).toEqual([reading("a", 1), GET, reading("a", 2), GET]);
  });

  it("never merges an ask: each gets its own reply, and a later tell still merges into the waiting one before them", async () => {
    const { kind, seen } = gauge("gauge");
    const { system } = await start([kind]);
    system.tell("gauge/1", reading("a", 1));
    const asked = [system.ask("gauge/1", reading("a", 2)), system.ask("gauge/1", reading("a", 3))];
    system.tell("gauge/1", reading("a", 4));
    expect(await Promise.all(asked)).toEqual([2, 3]);
    expect(seen.handled).toEqual([{ key: "a", value: 4, count: 2 }, reading("a", 2), reading("a", 3)]);
  });

  it("takes a merged tell into a full backpressure mailbox, and refuses only what would need room", async () => {
    const { kind } = gauge("gauge", { mailbox: { capacity: 2, overflow: "backpressure" } });
    const { system } = await start([kind]);
    expect(system.tell("gauge/1", reading("a", 1))).toBe(true);
    expect(system.tell("gauge/1", reading("b", 1))).toBe(true);
    expect(system.tell("gauge/1", reading("a", 2))).toBe(true);
    expect(system.tell("gauge/1", reading("c", 1))).toBe(false);
    await turns(); // the gauge takes its two
    expect(await system.ask("gauge/1", GET)).toEqual({ a: { value: 2, count: 2 }, b: { value: 1, count: 1 } });
    expect((await system.stats()).kinds.gauge).toMatchObject({ refused: 1, coalesced: 1 });
  });

  it("queues a tell afresh when the waiting one of its key was dropped from a full drop-oldest mailbox", async () => {
    const { kind, seen } = gauge("gauge", { mailbox: { capacity: 2, overflow: "drop-oldest" } });
    const { system, events } = await start([kind]);
    system.tell("gauge/1", reading("a", 1));
    system.tell("gauge/1", reading("b", 1));
    system.tell("gauge/1", reading("c", 1)); // drops a's
    system.tell("gauge/1", reading("a", 2)); // drops b's; nothing of a's waits to merge into
    system.tell("gauge/1", reading("a", 3)); // merges into a's second
    // The ask drops c's.
    expect(await system.ask("gauge/1", GET)).toEqual({ a: { value: 3, count: 2 } });
    expect(seen.handled).toEqual([{ key: "a", value: 3, count: 2 }, GET]);
    expect(events.of("dead-letter")).toHaveLength(3);
  });

  it("keeps every sender's latest under more updates than the receiver's turns take, none refused and none lost", async () => {
    const { kind, seen } = gauge("unit");
    const { system } = await start([kind, sender("unit/1")]);
    const SENDERS = 5;
    const EACH = 1_000; // 5,000 updates, far past the unit's mailbox (1,024) and its 64 messages a turn
    for (let s = 0; s < SENDERS; s++) for (let n = 1; n <= EACH; n++) expect(system.tell(`sender/s${s}`, n)).toBe(true);
    for (let s = 0; s < SENDERS; s++) await system.ask(`sender/s${s}`, 0).catch(() => undefined);
    const values = await system.ask<Record<string, { value: number; count: number }>>("unit/1", GET);
    for (let s = 0; s < SENDERS; s++) expect(values[`s${s}`]).toEqual({ value: EACH, count: EACH });
    expect((await system.stats()).kinds.unit?.refused).toBe(0);
    // Never behind by more than one update per sender: no turn of the unit saw two of one sender's.
    for (const turn of seen.turns) {
      const keys = turn.filter(isReading).map((m) => m.key);
      expect(new Set(keys).size).toBe(keys.length);
    }
  });
});

describe("a kind that does not coalesce", () => {
  it("queues every tell, whatever its key", async () => {
    const { kind, seen } = gauge("plain", { coalesce: false });
    const { system } = await start([kind]);
    for (let i = 1; i <= 100; i++) system.tell("plain/1", reading("a", i));
    expect(await system.ask("plain/1", GET)).toEqual({ a: { value: 100, count: 100 } });
    expect(seen.handled).toHaveLength(101);
    expect((await system.stats()).kinds.plain?.coalesced).toBe(0);
  });
});
