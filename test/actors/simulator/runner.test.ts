/**
 * The paced runner on a simulated clock: it sends what falls due on the
 * clock's timer, one batch at a time, to every publisher; it starts, stops,
 * reports its status and takes scenarios — the control API's surface.
 */
import { describe, expect, it } from "vitest";
import { SimulatedClock } from "../../../src/runtime/index.js";
import { Plant, RunToFailureFleet, SimulatorRunner, type ReadingPublisher, type SimulatedReading, type SimulatorRunnerOptions } from "../../../src/actors/simulator/index.js";
import { turns } from "../../fixtures/actor-system.js";
import { MINUTE, SECOND, T0, collectingPublisher } from "./helpers.js";

function runner(publishers: ReadingPublisher[], options: Omit<SimulatorRunnerOptions, "plant" | "publishers" | "clock"> = {}) {
  const clock = new SimulatedClock(T0);
  const plant = new Plant({ behaviour: { tripsPerDay: 0 } });
  return { clock, plant, runner: new SimulatorRunner({ plant, publishers, clock, ...options }) };
}

/** A publisher whose batches stay in flight until the test lets them go. */
function heldPublisher() {
  const held: { batch: SimulatedReading[]; release: () => void }[] = [];
  const publisher: ReadingPublisher = {
    name: "held",
    publish: (batch) => new Promise<void>((resolve) => held.push({ batch: [...batch], release: resolve })),
  };
  return { publisher, held };
}

describe("SimulatorRunner", () => {
  it("sends one reading per sensor per second by default, on the clock's timer, starting at once", async () => {
    const out = collectingPublisher();
    const { clock, runner: r } = runner([out]);
    await r.start();
    expect(out.readings()).toHaveLength(25);
    clock.advance(3 * SECOND);
    expect(out.batches.map((b) => b.length)).toEqual([25, 25, 25, 25]);
    expect(out.batches.map((b) => b[0]?.timestamp)).toEqual([T0, T0 + SECOND, T0 + 2 * SECOND, T0 + 3 * SECOND]);
    await r.close();
  });

  it("at high rates sends bigger batches, at most every 10 ms, keeping to the rate", async () => {
    const out = collectingPublisher();
    const { clock, runner: r } = runner([out], { readingsPerSecond: 100_000 });
    await r.start();
    clock.advance(SECOND);
    expect(out.batches.length).toBeLessThanOrEqual(101);
    // Timestamps are whole milliseconds: the ticks stamped T0 + 1 s (four of them) go out too.
    expect(out.readings().length).toBeGreaterThanOrEqual(100_000);
    expect(out.readings().length).toBeLessThanOrEqual(100_000 + 100);
    expect(out.readings().every((x) => x.timestamp <= T0 + SECOND)).toBe(true);
    await r.close();
  });

  it("opens each publisher once, with the plant's units and sensors, before the first batch", async () => {
    const out = collectingPublisher();
    const { plant, runner: r } = runner([out]);
    await r.start();
    await r.stop();
    await r.start();
    expect(out.opened).toEqual([{ units: plant.unitIds, sensors: plant.sensorIds }]);
    await r.close();
  });

  it("stop ends the sending; start resumes from the clock's current time", async () => {
    const out = collectingPublisher();
    const { clock, runner: r } = runner([out]);
    await r.start();
    await r.stop();
    clock.advance(MINUTE);
    expect(out.readings()).toHaveLength(25);
    expect(clock.pendingTimers()).toBe(0);
    await r.start();
    expect(out.batches[1]?.[0]?.timestamp).toBe(T0 + MINUTE);
    await r.close();
  });

  it("reports running, mode, units, rate, readings generated, lag, active scenarios and each publisher's counts", async () => {
    const out = collectingPublisher("out");
    const { clock, runner: r } = runner([out]);
    expect(r.status()).toMatchObject({ running: false, mode: "plant", units: 5, sensorsPerUnit: 5, readingsPerSecond: 25, generated: 0 });
    await r.start();
    clock.advance(9 * SECOND);
    const scenario = r.inject({ unit: "UNIT004", kind: "degradation", durationMs: MINUTE });
    expect(r.status()).toEqual({
      running: true,
      mode: "plant",
      units: 5,
      sensorsPerUnit: 5,
      solarDevices: 0,
      readingsPerSecond: 25,
      generated: 250,
      lagMs: 0,
      activeScenarios: [scenario],
      publishers: [{ name: "out", published: 250, failures: 0, lastError: null }],
    });
    await r.close();
    expect(r.status().running).toBe(false);
  });

  it("injects and clears scenarios at the clock's current time", async () => {
    const out = collectingPublisher();
    const { clock, runner: r } = runner([out]);
    await r.start();
    clock.advance(5 * SECOND);
    const scenario = r.inject({ unit: "UNIT002", kind: "bad_quality", durationMs: MINUTE });
    expect(scenario.startedAt).toBe(T0 + 5 * SECOND + 1);
    clock.advance(5 * SECOND);
    expect(r.clear({ id: scenario.id })).toBe(1);
    clock.advance(5 * SECOND);
    const bad = out.readings().filter((x) => x.quality === "BAD").map((x) => x.timestamp);
    expect(new Set(bad)).toEqual(new Set([6, 7, 8, 9, 10].map((s) => T0 + s * SECOND)));
    expect(r.status().activeScenarios).toEqual([]);
    expect(() => r.inject({ unit: "UNIT002", kind: "flood", durationMs: 1 })).toThrow(expect.objectContaining({ code: "VIGIL_SIMULATOR_BAD_SCENARIO" }));
    await r.close();
  });

  it("keeps feeding the other publishers when one fails, and counts the failures", async () => {
    const out = collectingPublisher("out");
    const broken: ReadingPublisher = {
      name: "broken",
      publish: () => {
        throw new Error("peer gone");
      },
    };
    const rejecting: ReadingPublisher = { name: "rejecting", publish: () => Promise.reject(new Error("nope")) };
    const { clock, runner: r } = runner([broken, out, rejecting]);
    await r.start();
    await turns();
    for (let i = 0; i < 3; i++) {
      clock.advance(SECOND);
      await turns();
    }
    expect(out.readings()).toHaveLength(100);
    expect(r.status().publishers).toEqual([
      { name: "broken", published: 0, failures: 4, lastError: "peer gone" },
      { name: "out", published: 100, failures: 0, lastError: null },
      { name: "rejecting", published: 0, failures: 4, lastError: "nope" },
    ]);
    await r.close();
  });

  it("never sends a batch while the last one is in flight; once it is taken, the next carries everything due since", async () => {
    const { publisher, held } = heldPublisher();
    const { clock, runner: r } = runner([publisher]);
    await r.start();
    clock.advance(5 * SECOND);
    expect(held).toHaveLength(1);
    expect(r.status().lagMs).toBe(4 * SECOND); // the tick due at T0 + 1 s has not gone out
    held[0]!.release();
    await turns();
    clock.advance(0); // the runner is behind, so its next timer is due at once
    expect(held).toHaveLength(2);
    expect(held[1]!.batch.map((x) => x.timestamp)).toEqual([1, 2, 3, 4, 5].flatMap((s) => Array<number>(25).fill(T0 + s * SECOND)));
    held[1]!.release();
    await r.close();
  });

  it("stop waits for the batch in flight to be taken", async () => {
    const { publisher, held } = heldPublisher();
    const { runner: r } = runner([publisher]);
    await r.start();
    let stopped = false;
    const stopping = r.stop().then(() => (stopped = true));
    await turns();
    expect(stopped).toBe(false);
    held[0]!.release();
    await stopping;
    expect(stopped).toBe(true);
  });

  it("closes every publisher once, and cannot be started again", async () => {
    let closes = 0;
    const { runner: r } = runner([{ name: "c", publish: () => undefined, close: () => Promise.resolve(void closes++) }]);
    await r.start();
    await r.close();
    await r.close();
    expect(closes).toBe(1);
    await expect(r.start()).rejects.toThrow(/closed/);
  });

  it("injects random scenarios when asked: the first 10 s after start, then one per period, each in the ground truth", async () => {
    const { clock, runner: r } = runner([collectingPublisher()], { randomScenarios: { everyMs: MINUTE, seed: 4 } });
    await r.start();
    clock.advance(10 * SECOND);
    expect(r.truth.scenarios()).toHaveLength(1);
    expect(r.truth.scenarios()[0]?.startedAt).toBe(T0 + 10 * SECOND);
    clock.advance(2 * MINUTE);
    expect(r.truth.scenarios().map((s) => s.startedAt)).toEqual([10, 70, 130].map((s) => T0 + s * SECOND));
    await r.stop();
    clock.advance(10 * MINUTE);
    expect(r.truth.scenarios()).toHaveLength(3);
    await r.close();
  });

  it("draws the same random scenarios for the same seed", async () => {
    const draw = async () => {
      const { clock, runner: r } = runner([collectingPublisher()], { randomScenarios: { everyMs: MINUTE, seed: 4 } });
      await r.start();
      clock.advance(30 * MINUTE);
      await r.close();
      return r.truth.scenarios().map(({ unit, kind, sensors, startedAt, endsAt }) => ({ unit, kind, sensors, startedAt, endsAt }));
    };
    const first = await draw();
    expect(first).toHaveLength(30);
    expect(new Set(first.map((s) => s.kind)).size).toBeGreaterThan(3);
    expect(await draw()).toEqual(first);
  });

  it("refuses random scenarios in run-to-failure mode with VIGIL_SIMULATOR_MISCONFIGURED", () => {
    const create = () => new SimulatorRunner({ plant: new RunToFailureFleet({ units: 2 }), publishers: [], randomScenarios: { everyMs: MINUTE } });
    expect(create).toThrow(expect.objectContaining({ code: "VIGIL_SIMULATOR_MISCONFIGURED" }));
  });

  it("refuses to start while a publisher cannot open, and opens it again on the next start", async () => {
    let attempts = 0;
    const flaky: ReadingPublisher = {
      name: "flaky",
      open: () => {
        if (++attempts === 1) throw new Error("server not up yet");
      },
      publish: () => undefined,
    };
    const { runner: r } = runner([flaky]);
    await expect(r.start()).rejects.toThrow("server not up yet");
    expect(r.isRunning).toBe(false);
    await r.start();
    expect(r.isRunning).toBe(true);
    expect(attempts).toBe(2);
    await r.close();
  });
});
