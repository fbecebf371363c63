/**
 * Snapshots in slabs (src/runtime/workers/snapshot-slabs.ts): what a shard
 * worker takes, what main keeps of it, and what a replacement worker starts
 * from. Batches cross by structured clone, as through a port; a "crash" is a
 * new worker store started from main's export, as WorkerPool.launch does.
 */
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { SlabSnapshots } from "../../../src/runtime/workers/slab-snapshots.js";
import { PIECE_CHANGE, PIECE_DROP, PIECE_FULL, SlabIndex } from "../../../src/runtime/workers/snapshot-slabs.js";

const silent = pino({ level: "silent" });

/** A worker's store and main's copy, joined as the outbox joins them: `post` is one batch crossing. */
function crossing(): { worker: SlabSnapshots; main: SlabIndex; post: () => void; replacement: () => SlabSnapshots } {
  const main = new SlabIndex();
  const worker = new SlabSnapshots(new SlabIndex(), silent, () => undefined);
  return {
    worker,
    main,
    post: () => {
      const batch = worker.seal();
      if (batch !== undefined) main.apply(structuredClone(batch));
    },
    replacement: () => new SlabSnapshots(SlabIndex.import(structuredClone(main.export())), silent, () => undefined),
  };
}

/** A state of some size, like a sensor's windows. */
const stateOf = (actor: number, round: number): { actor: number; round: number; samples: Float64Array } => ({
  actor,
  round,
  samples: new Float64Array(64).fill(round),
});

describe("a replacement worker", () => {
  it("starts from each actor's latest snapshot posted, though many actors share each slab", () => {
    const { worker, post, replacement } = crossing();
    for (let round = 0; round < 5; round++) {
      // Some actors are snapshotted every round, some every other: slabs mix the new and the older.
      for (let actor = 0; actor < 40; actor++) if (round % 2 === 0 || actor % 3 === 0) worker.putFull(`a/${actor}`, stateOf(actor, round));
      post();
    }
    const restored = replacement();
    expect(restored.size).toBe(40);
    for (let actor = 0; actor < 40; actor++) {
      expect(restored.read(`a/${actor}`)).toEqual({ state: stateOf(actor, actor % 3 === 0 ? 4 : 4), changes: [] });
    }
  });

  it("starts from an actor's full snapshot and every change posted since, in order", () => {
    const { worker, post, replacement } = crossing();
    worker.putFull("j/x", { entries: [1] });
    post();
    for (const n of [2, 3, 4]) {
      worker.putChange("j/x", { add: n });
      post();
    }
    worker.putChange("j/x", { add: 5 });
    worker.putChange("j/x", { add: 6 }); // two in one batch
    post();
    expect(replacement().read("j/x")).toEqual({ state: { entries: [1] }, changes: [2, 3, 4, 5, 6].map((n) => ({ add: n })) });
  });

  it("does not get what was taken after the last post (it never left the crashed worker)", () => {
    const { worker, post, replacement } = crossing();
    worker.putFull("c/x", { count: 1 });
    post();
    worker.putFull("c/x", { count: 2 });
    worker.putChange("c/x", { add: 1 });
    expect(replacement().read("c/x")).toEqual({ state: { count: 1 }, changes: [] });
  });

  it("does not restore an actor whose snapshot was dropped (it took undefined), which its own worker keeps as undefined", () => {
    const { worker, main, post, replacement } = crossing();
    worker.putFull("c/x", { count: 1 });
    post();
    worker.putFull("c/x", undefined);
    post();
    expect(main.get("c/x")).toBeUndefined();
    expect(replacement().read("c/x")).toBeUndefined();
    expect(worker.read("c/x")).toEqual({ state: undefined, changes: [] });
  });

  it("gets the last state that could be cloned when a later one could not; the worker keeps that one and asks for a full snapshot next", () => {
    const { worker, post, replacement } = crossing();
    expect(worker.putFull("c/x", { count: 1 })).toBe(true);
    post();
    const uncloneable = { count: 2, fn: () => 2 };
    expect(worker.putFull("c/x", uncloneable)).toBe(false);
    post();
    expect(worker.read("c/x")).toEqual({ state: uncloneable, changes: [] });
    expect(replacement().read("c/x")).toEqual({ state: { count: 1 }, changes: [] });
    expect(worker.putFull("c/x", { count: 3 })).toBe(true);
    post();
    expect(replacement().read("c/x")).toEqual({ state: { count: 3 }, changes: [] });
  });

  it("gets the snapshot without a change that could not be cloned, nor those after it, while the worker keeps them all", () => {
    const { worker, post, replacement } = crossing();
    worker.putFull("j/x", { entries: [1] });
    worker.putChange("j/x", { add: 2 });
    post();
    const bad = { add: 3, fn: () => 3 };
    expect(worker.putChange("j/x", bad)).toBe(false);
    expect(worker.putChange("j/x", { add: 4 })).toBe(false);
    post();
    expect(worker.read("j/x")).toEqual({ state: { entries: [1] }, changes: [{ add: 2 }, bad, { add: 4 }] });
    expect(worker.changesOf("j/x")).toBe(3);
    expect(replacement().read("j/x")).toEqual({ state: { entries: [1] }, changes: [{ add: 2 }] });
  });
});

describe("the worker's own store", () => {
  it("reads an actor's snapshot back before its slab is posted", () => {
    const { worker } = crossing();
    worker.putFull("j/x", { entries: [1] });
    worker.putChange("j/x", { add: 2 });
    expect(worker.read("j/x")).toEqual({ state: { entries: [1] }, changes: [{ add: 2 }] });
    expect(worker.changesOf("j/x")).toBe(1);
    expect(worker.changesOf("j/y")).toBeUndefined();
  });

  it("reads an actor's snapshot back after its slab is posted, and after slabs that outgrew the encoder's buffer", () => {
    const { worker, post } = crossing();
    const big = { samples: new Float64Array(20_000).map((_, i) => i) }; // 160 KB: past the encoder's first buffer
    worker.putFull("s/small", { n: 1 });
    worker.putFull("s/big", big);
    post();
    worker.putFull("s/other", { n: 2 });
    post();
    expect(worker.read("s/small")).toEqual({ state: { n: 1 }, changes: [] });
    expect(worker.read("s/big")).toEqual({ state: big, changes: [] });
    expect(worker.read("s/other")).toEqual({ state: { n: 2 }, changes: [] });
  });

  it("posts each piece once, in the order taken, with its kind", () => {
    const { worker } = crossing();
    worker.putFull("a/1", { n: 1 });
    worker.putChange("a/1", { d: 1 });
    worker.putFull("a/2", undefined);
    const batch = worker.seal();
    expect(batch?.addresses).toEqual(["a/1", "a/1", "a/2"]);
    expect([0, 1, 2].map((i) => batch?.meta[3 * i])).toEqual([PIECE_FULL, PIECE_CHANGE, PIECE_DROP]);
    expect(worker.seal()).toBeUndefined();
  });
});

describe("main's slabs", () => {
  it("are released once every snapshot in them is superseded", () => {
    const { worker, main, post } = crossing();
    let lastSlab = 0;
    for (let round = 0; round < 6; round++) {
      for (let actor = 0; actor < 20; actor++) worker.putFull(`a/${actor}`, stateOf(actor, round));
      const batch = worker.seal();
      if (batch === undefined) throw new Error("nothing to post");
      lastSlab = batch.bytes.byteLength;
      main.apply(structuredClone(batch));
      expect(main.heldSlabs).toBe(1);
    }
    expect(main.heldBytes).toBe(lastSlab);
    post(); // nothing new
    expect(main.heldSlabs).toBe(1);
  });

  it("hold a change's slab until the full snapshot it goes on is superseded", () => {
    const { worker, main, post } = crossing();
    worker.putFull("j/x", stateOf(0, 0));
    post();
    worker.putChange("j/x", { add: 1 });
    post();
    worker.putChange("j/x", { add: 2 });
    post();
    expect(main.heldSlabs).toBe(3);
    worker.putFull("j/x", stateOf(0, 1));
    post();
    expect(main.heldSlabs).toBe(1);
  });

  it("hold at most twice the bytes of the live snapshots (past 256 KB): the live ones of mostly superseded slabs are copied together", () => {
    const { worker, main, post, replacement } = crossing();
    const big = (actor: number, round: number): { actor: number; round: number; samples: Float64Array } => ({ actor, round, samples: new Float64Array(1024).fill(round) });
    const latest = new Map<number, number>();
    let compacted = false;
    for (let round = 0; round < 30; round++) {
      // Each round some actors go idle for good; the rest snapshot again, in one slab per round.
      for (let actor = 0; actor < 40; actor++) {
        if (actor < round) continue;
        worker.putFull(`a/${actor}`, big(actor, round));
        latest.set(actor, round);
      }
      const slabsBefore = main.heldSlabs;
      post();
      if (main.heldSlabs < slabsBefore) compacted = true;
      expect(main.heldBytes).toBeLessThanOrEqual(Math.max(256 * 1024, 2 * main.liveBytes) + 40 * 8_300); // plus the newest slab
    }
    expect(compacted).toBe(true);
    const restored = replacement();
    for (const [actor, round] of latest) expect(restored.read(`a/${actor}`)).toEqual({ state: big(actor, round), changes: [] });
  });

  it("do not keep a change posted for an actor main has no snapshot of", () => {
    const { main } = crossing();
    const worker = new SlabSnapshots(new SlabIndex(), silent, () => undefined);
    worker.putFull("j/x", { entries: [] }); // this one is not posted: as if it could not cross
    worker.seal();
    worker.putChange("j/x", { add: 1 });
    const batch = worker.seal();
    if (batch === undefined) throw new Error("nothing to post");
    main.apply(structuredClone(batch));
    expect(main.get("j/x")).toBeUndefined();
    expect(main.heldSlabs).toBe(0);
  });
});
