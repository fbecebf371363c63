import { afterEach, describe, expect, it } from "vitest";
import { createActorSystem, SimulatedClock, type ActorKind, type ActorSystem } from "../../src/runtime/index.js";
import { KIND_MODULE, silentLog, turns } from "../fixtures/actor-system.js";
import { announcer } from "../fixtures/kinds.js";

let system: ActorSystem | undefined;
afterEach(async () => {
  await system?.stop();
  system = undefined;
});

describe("actor publications", () => {
  it("reach the outlet as subject and JSON, in order, from a worker thread", async () => {
    const seen: [string, string][] = [];
    let done!: () => void;
    const all = new Promise<void>((resolve) => (done = resolve));
    system = await createActorSystem({
      workers: 2,
      kindModules: [KIND_MODULE],
      log: silentLog,
      outlet: (subject, json) => {
        seen.push([subject, json]);
        if (seen.length === 100) done();
      },
    });
    for (let i = 0; i < 100; i++) system.tell("announcer/U1", { publish: "vigil.test.out", payload: { i } });
    await all;
    expect(seen.map(([, json]) => (JSON.parse(json) as { i: number }).i)).toEqual([...Array(100).keys()]);
    expect(new Set(seen.map(([subject]) => subject))).toEqual(new Set(["vigil.test.out"]));
  });

  it("drop a payload that cannot be encoded as JSON and keep the actor serving", async () => {
    const seen: string[] = [];
    system = await createActorSystem({ workers: 0, kinds: [announcer], log: silentLog, outlet: (_s, json) => seen.push(json) });
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    await system.ask("announcer/U1", { publish: "vigil.test.bad", payload: cyclic });
    await system.ask("announcer/U1", { publish: "vigil.test.good", payload: 1 });
    expect(seen).toEqual(["1"]);
  });
});

describe("actor timers", () => {
  it("deliver the scheduled message to the actor itself once the delay has passed", async () => {
    const clock = new SimulatedClock();
    system = await createActorSystem({ workers: 0, kinds: [announcer], log: silentLog, clock });
    await system.ask("announcer/U1", { after: 1_000, tag: "a" });
    clock.advance(999);
    await turns();
    expect(await system.ask("announcer/U1", "fired")).toEqual([]);
    clock.advance(1);
    await turns();
    expect(await system.ask("announcer/U1", "fired")).toEqual(["a"]);
  });

  it("never deliver a cancelled timer", async () => {
    const clock = new SimulatedClock();
    system = await createActorSystem({ workers: 0, kinds: [announcer], log: silentLog, clock });
    await system.ask("announcer/U1", { cancelAfter: 10 });
    clock.advance(100);
    await turns();
    expect(await system.ask("announcer/U1", "fired")).toEqual([]);
  });

  it("are cancelled when the actor is passivated", async () => {
    const clock = new SimulatedClock();
    const idle = { ...announcer, passivation: { idleMs: 1_000 } } as ActorKind;
    system = await createActorSystem({ workers: 0, kinds: [idle], log: silentLog, clock, passivationSweepMs: 100 });
    await system.ask("announcer/U1", { after: 5_000, tag: "late" });
    clock.advance(1_200); // passivated by the sweep
    await turns();
    expect((await system.stats()).kinds["announcer"]?.passivations).toBe(1);
    clock.advance(10_000);
    await turns();
    expect((await system.stats()).kinds["announcer"]?.activations).toBe(1);
  });
});
