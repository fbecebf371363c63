/**
 * State transfer between systems (what a cluster handoff does): an actor's
 * exported state is the effect of exactly the messages sent before the
 * export, and an imported state replaces whatever the actor held. Across
 * shard worker threads, since that is how a node runs.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createActorSystem, exportState, importState, type ActorSystem } from "../../src/runtime/index.js";
import { KIND_MODULE, silentLog } from "../fixtures/actor-system.js";

const systems: ActorSystem[] = [];
afterEach(async () => {
  await Promise.all(systems.splice(0).map((s) => s.stop()));
});

async function system(): Promise<ActorSystem> {
  const s = await createActorSystem({ workers: 2, kindModules: [KIND_MODULE], log: silentLog });
  systems.push(s);
  return s;
}

describe("state transfer", () => {
  it("exports the state left by every message told before the export, in mailbox order", async () => {
    const from = await system();
    for (let n = 1; n <= 100; n++) from.tell("counter/U1", { type: "add", n });
    const state = await from.ask<{ count: number }>("counter/U1", exportState());
    expect(state.count).toBe(5050);
  });

  it("imports a state into another system, replacing what the actor there held", async () => {
    const from = await system();
    const to = await system();
    from.tell("counter/U1", { type: "add", n: 7 });
    to.tell("counter/U1", { type: "add", n: 1000 });
    const state = await from.ask("counter/U1", exportState());
    await to.ask("counter/U1", importState(state));
    to.tell("counter/U1", { type: "add", n: 3 });
    expect(await to.ask("counter/U1", { type: "get" })).toBe(10);
  });

  it("exports nothing for an actor with no state of its own", async () => {
    const s = await system();
    expect(await s.ask("echo/x", exportState())).toBeUndefined();
  });
});
