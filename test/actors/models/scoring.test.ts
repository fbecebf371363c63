import { afterEach, describe, expect, it } from "vitest";
import { OPERATIONAL_STATES, sensorAddress, unitAddress, type UnitState } from "../../../src/actors/readings/index.js";
import { predict, type WorkerModelStats } from "../../../src/ml/index.js";
import { SeededRandom } from "../../../src/runtime/index.js";
import { until } from "../../fixtures/until.js";
import { ScoringPipeline, MODELS_CONFIG } from "./pipeline.js";
import { anomalyModel, failingModel, FeatureReplay, normalValue, promote, reading, T0, UNIT_SENSORS, unitModels, WARMUP } from "./trained.js";

let pipeline: ScoringPipeline | undefined;
afterEach(async () => {
  await pipeline?.stop();
  pipeline = undefined;
});

function fallbacks(stats: WorkerModelStats[], model: string, reason: string): number {
  return stats.flatMap((s) => s.fallbacks).filter((f) => f.model === model && f.reason === reason).reduce((sum, f) => sum + f.count, 0);
}

/** A started pipeline with the unit models (unit_state and unit_rul, seed 3) in Production. */
function startWithUnitModels(): Promise<ScoringPipeline> {
  const { state, rul } = unitModels(3);
  return ScoringPipeline.startWith([state.version, rul.version]);
}

/** Sends `count` normal temperature readings of a unit from `from` on, with `spikeAt` (index) raised by `spike`. */
function sendTemperatures(p: ScoringPipeline, unit: string, count: number, seed: number, spike?: { at: number; by: number }): { ts: number; value: number }[] {
  const rand = new SeededRandom(seed);
  const sent: { ts: number; value: number }[] = [];
  for (let i = 0; i < count; i++) {
    const ts = T0 + i * 1000;
    const value = normalValue(rand) + (spike !== undefined && spike.at === i ? spike.by : 0);
    expect(p.system.tell(sensorAddress(unit, "temperature"), reading(unit, "temperature", ts, value))).toBe(true);
    sent.push({ ts, value });
  }
  return sent;
}

/** Sends one normal reading of each of a unit's sensors (UNIT_SENSORS) at second `i`. */
function sendUnitRound(p: ScoringPipeline, unit: string, i: number, rand: SeededRandom): void {
  for (const sensor of UNIT_SENSORS) {
    const value = sensor === "temperature" ? normalValue(rand) : 4 + rand.normal() * 0.1;
    p.system.tell(sensorAddress(unit, sensor), reading(unit, sensor, T0 + i * 1000, value));
  }
}

describe("scoring with the anomaly model in Production", () => {
  it("flags the injected anomaly by the model, with method MODEL, its version and the score the version gives that row", async () => {
    const trained = anomalyModel(1);
    pipeline = await ScoringPipeline.startWith([trained.version]);
    expect(pipeline.feed.current().get("anomaly.temperature")).toBe(1);

    const sent = sendTemperatures(pipeline, "UNIT001", 80, 7, { at: 70, by: 6 });
    await pipeline.until(() => pipeline!.processed().length === sent.length);
    const out = pipeline.processed();
    expect(out.map((r) => r.ts)).toEqual(sent.map((r) => r.ts));
    const replay = new FeatureReplay();
    out.forEach((r) => {
      const row = replay.row(r.ts, r.value);
      if (r.ts < sent[WARMUP - 1]!.ts) return; // the warm-up's readings: the next spec's subject
      const expected = predict(trained.model, row, 1)[0] as number;
      expect(r).toMatchObject({ method: "MODEL", model_version: "anomaly.temperature@1" });
      expect(Math.abs(r.score - expected)).toBeLessThan(1e-4);
    });
    expect(out[70]).toMatchObject({ anomaly: true, reasons: ["model"], category: "THERMAL" });
  });

  it("scores a new sensor's first readings by rules until its window holds scoring.minSamples, counting them as warming_up, and by the model from then on", async () => {
    pipeline = await ScoringPipeline.startWith([anomalyModel(1).version]);
    const sent = sendTemperatures(pipeline, "UNIT009", WARMUP + 5, 7);
    await pipeline.until(() => pipeline!.processed().length === sent.length);
    const methods = pipeline.processed().map((r) => `${r.method}:${String(r.model_version)}`);
    expect(methods).toEqual([...Array<string>(WARMUP - 1).fill("RULES:null"), ...Array<string>(6).fill("MODEL:anomaly.temperature@1")]);
    // Near-empty windows (no spread, no slope) are what the model would have flagged; the rules do not.
    expect(pipeline.processed().slice(0, WARMUP - 1).every((r) => !r.anomaly)).toBe(true);
    expect(fallbacks(await pipeline.feed.workerStats(), "anomaly.temperature", "warming_up")).toBe(WARMUP - 1);
  });

  it("gives a unit its operational state with the probability of each of the seven states, its RUL in hours and the health derived from it", async () => {
    pipeline = await startWithUnitModels();
    const rand = new SeededRandom(5);
    for (let i = 0; i < 40; i++) sendUnitRound(pipeline, "UNIT002", i, rand);
    await pipeline.until(() => pipeline!.unitStatesByModel("UNIT002").at(-1) !== undefined);
    const unit = pipeline.unitStatesByModel("UNIT002").at(-1) as UnitState;
    const probabilities = unit.probabilities as Record<string, number>;
    expect(Object.keys(probabilities)).toEqual([...OPERATIONAL_STATES]);
    expect(Object.values(probabilities).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    const best = OPERATIONAL_STATES.reduce((a, b) => ((probabilities[b] as number) > (probabilities[a] as number) ? b : a));
    expect(unit.operationalState).toBe(best);
    expect(unit.rul_hours).toBeGreaterThanOrEqual(0);
    expect(unit.health).toBe(Math.round(Math.min(1, (unit.rul_hours as number) / MODELS_CONFIG.healthyRulHours) * 100) / 100);
    expect(unit.model_version).toBe("unit_state@1,unit_rul@1");
  });

  it("assesses a unit by rules while a sensor its models read is warming up, counting warming_up, and by the models once every one holds scoring.minSamples", async () => {
    pipeline = await startWithUnitModels();
    const rand = new SeededRandom(5);
    for (let i = 0; i < WARMUP - 1; i++) sendUnitRound(pipeline, "UNIT010", i, rand);
    await pipeline.until(() => pipeline!.processed().length === UNIT_SENSORS.length * (WARMUP - 1));
    // Asked after its sensors' updates (one mailbox, in order): the unit has heard all of them.
    const during = await pipeline.system.ask<UnitState>(unitAddress("UNIT010"), { type: "get" });
    expect(during).toMatchObject({ method: "RULES" });
    expect(during.model_version).toBeUndefined();
    const stats = await pipeline.feed.workerStats();
    expect(fallbacks(stats, "unit_state", "warming_up")).toBeGreaterThan(0);
    expect(fallbacks(stats, "unit_rul", "warming_up")).toBeGreaterThan(0);
    expect(stats.flatMap((s) => s.models).filter((m) => m.name.startsWith("unit_")).reduce((n, m) => n + m.rowsScored, 0)).toBe(0);

    sendUnitRound(pipeline, "UNIT010", WARMUP - 1, rand);
    await pipeline.until(() => pipeline!.unitStatesByModel("UNIT010")[0] !== undefined);
    expect(pipeline.unitStatesByModel("UNIT010")[0]).toMatchObject({ model_version: "unit_state@1,unit_rul@1", lastReadingAt: T0 + (WARMUP - 1) * 1000 });
  });
});

describe("backpressure", () => {
  it("keeps each reading's ingest credit until its scored output is published, so readings waiting for a model stay within the in-flight budget", async () => {
    const budget = 4;
    // A flush long enough that the handed readings are still waiting when the next one is offered.
    pipeline = await ScoringPipeline.start({ inflightBudget: budget, models: { flushMs: 1_500 } });
    await promote(pipeline.registry, anomalyModel(1).version);
    await pipeline.feed.settled();
    const address = sensorAddress("UNIT010", "temperature");
    const rand = new SeededRandom(3);
    let i = 0;
    // The warm-up: scored by rules and published as handled, so each credit comes back with its handling.
    for (; i < WARMUP - 1; i++) {
      while (!pipeline.system.tell(address, reading("UNIT010", "temperature", T0 + i * 1000, normalValue(rand)))) await pipeline.system.whenWritable(address);
    }
    await pipeline.until(() => pipeline!.processed().length === WARMUP - 1);
    for (let k = 0; k < budget; k++, i++) expect(pipeline.system.tell(address, reading("UNIT010", "temperature", T0 + i * 1000, normalValue(rand)))).toBe(true);
    const handled = async (): Promise<number> => (await pipeline!.system.stats()).kinds["sensor"]?.processed ?? 0;
    await until(async () => (await handled()) >= WARMUP - 1 + budget, "the readings handed to the model");
    expect(pipeline.processed()).toHaveLength(WARMUP - 1); // handled, waiting for their scores…
    expect(pipeline.system.tell(address, reading("UNIT010", "temperature", T0 + i * 1000, normalValue(rand)))).toBe(false); // …and still holding the budget
    await pipeline.system.whenWritable(address);
    await pipeline.until(() => pipeline!.processed().length === WARMUP - 1 + budget);
    expect(pipeline.processed().slice(WARMUP - 1).map((r) => r.method)).toEqual(Array<string>(budget).fill("MODEL"));
  });
});

describe("falling back to rules", () => {
  it("scores by rules and says RULES when no model is in Production, counting each reading as no_model", async () => {
    pipeline = await ScoringPipeline.start();
    const sent = sendTemperatures(pipeline, "UNIT003", 50, 11);
    await pipeline.until(() => pipeline!.processed().length === sent.length);
    expect(new Set(pipeline.processed().map((r) => r.method))).toEqual(new Set(["RULES"]));
    expect(pipeline.processed().every((r) => r.model_version === null)).toBe(true);
    expect(fallbacks(await pipeline.feed.workerStats(), "anomaly.temperature", "no_model")).toBe(sent.length);
  });

  it("scores by rules the readings a failing model could not score, counting them as failed, and drops none", async () => {
    pipeline = await ScoringPipeline.startWith([failingModel()]);
    const units = ["UNIT004", "UNIT005", "UNIT006", "UNIT007"];
    // All told at once: the worker batches them, and a batch of several rows is where this model fails.
    for (const unit of units) sendTemperatures(pipeline, unit, 50, 13);
    await pipeline.until(() => pipeline!.processed().length === units.length * 50);
    // The warm-up's readings never reach the model: what the rules scored after it is what the model failed on.
    const byRules = pipeline.processed().filter((r) => r.method === "RULES" && r.ts >= T0 + (WARMUP - 1) * 1000);
    expect(byRules.length).toBeGreaterThan(0);
    expect(fallbacks(await pipeline.feed.workerStats(), "anomaly.temperature", "failed")).toBe(byRules.length);
    for (const unit of units) expect(pipeline.processed().filter((r) => r.unit === unit).map((r) => r.ts)).toEqual(Array.from({ length: 50 }, (_, i) => T0 + i * 1000));
  });
});

describe("refusing a bad version", () => {
  it("refuses a version whose ONNX file was damaged (VIGIL_MODEL_CORRUPT) and keeps scoring with the current one", async () => {
    pipeline = await ScoringPipeline.startWith([anomalyModel(1).version]);
    const { readFile, writeFile } = await import("node:fs/promises");
    const v2 = await pipeline.registry.register(anomalyModel(2).version, { who: "spec", why: "to be damaged" });
    const file = `${pipeline.root}/anomaly.temperature/v000002/model.onnx`;
    const bytes = await readFile(file);
    bytes[bytes.length - 20] = (bytes[bytes.length - 20] ?? 0) ^ 0xff;
    await writeFile(file, bytes);
    await pipeline.registry.transition("anomaly.temperature", v2.version, "Staging", { who: "spec", why: "test" });
    await pipeline.registry.transition("anomaly.temperature", v2.version, "Production", { who: "spec", why: "test" });
    await pipeline.feed.settled();
    expect(pipeline.refused).toEqual([{ model: "anomaly.temperature", version: 2, code: "VIGIL_MODEL_CORRUPT" }]);
    expect(pipeline.feed.current().get("anomaly.temperature")).toBe(1);
    sendTemperatures(pipeline, "UNIT008", WARMUP + 4, 17);
    await pipeline.until(() => pipeline!.processed().length === WARMUP + 4);
    expect(new Set(pipeline.processed().slice(WARMUP - 1).map((r) => r.model_version))).toEqual(new Set(["anomaly.temperature@1"]));
  });

  it("refuses a version asking for a feature the scorer cannot build (VIGIL_MODEL_INCOMPATIBLE) and keeps the current one", async () => {
    pipeline = await ScoringPipeline.startWith([anomalyModel(1).version]);
    const good = anomalyModel(2).version;
    await promote(pipeline.registry, { ...good, features: [...good.features.slice(0, -1), "humidity_index"] });
    await pipeline.feed.settled();
    expect(pipeline.refused).toEqual([{ model: "anomaly.temperature", version: 2, code: "VIGIL_MODEL_INCOMPATIBLE" }]);
    expect(pipeline.feed.current().get("anomaly.temperature")).toBe(1);
  });
});

describe("hot swap", () => {
  it("under a continuous stream, scores every reading exactly once, entirely by the old or the new version, in order, none dropped", async () => {
    const v1 = anomalyModel(1);
    const v2 = anomalyModel(2);
    pipeline = await ScoringPipeline.startWith([v1.version]);
    const units = Array.from({ length: 8 }, (_, i) => `HS${String(i).padStart(2, "0")}`);
    const rand = new SeededRandom(21);
    const values = new Map<string, number>();
    let swapped: number | undefined;
    let swap: Promise<unknown> | undefined;
    // Streams on until 100 rounds after the new version is swapped in everywhere.
    let rounds = 0;
    for (; swapped === undefined || rounds < swapped + 100; rounds++) {
      for (const unit of units) {
        const ts = T0 + rounds * 1000;
        const value = normalValue(rand);
        values.set(`${unit}/${ts}`, value);
        const to = sensorAddress(unit, "temperature");
        while (!pipeline.system.tell(to, reading(unit, "temperature", ts, value))) await pipeline.system.whenWritable(to);
      }
      if (rounds === 100) swap = promote(pipeline.registry, v2.version).then(() => pipeline!.feed.settled()).then(() => (swapped = rounds));
      // Let the workers, the batchers and the swap run between rounds: a stream, not one burst.
      await new Promise((resolve) => setImmediate(resolve));
    }
    await swap;
    await pipeline.until(() => pipeline!.processed().length >= units.length * rounds);
    const out = pipeline.processed();
    expect(out).toHaveLength(units.length * rounds);
    const models = { "anomaly.temperature@1": v1.model, "anomaly.temperature@2": v2.model };
    const versionsSeen = new Set<string>();
    for (const unit of units) {
      const mine = out.filter((r) => r.unit === unit);
      expect(mine.map((r) => r.ts)).toEqual(Array.from({ length: rounds }, (_, i) => T0 + i * 1000));
      const versions = mine.slice(WARMUP - 1).map((r) => r.model_version as string);
      // Once the new version scores a sensor's reading, it scores every later one.
      const firstNew = versions.indexOf("anomaly.temperature@2");
      if (firstNew >= 0) expect(versions.slice(firstNew).every((v) => v === "anomaly.temperature@2")).toBe(true);
      const replay = new FeatureReplay();
      for (const r of mine) {
        const row = replay.row(r.ts, values.get(`${unit}/${r.ts}`) as number);
        if (r.ts < T0 + (WARMUP - 1) * 1000) {
          expect(r).toMatchObject({ method: "RULES", model_version: null }); // warming up, long before the swap
          continue;
        }
        expect(r.method).toBe("MODEL");
        const model = models[r.model_version as keyof typeof models];
        expect(model).toBeDefined();
        versionsSeen.add(r.model_version as string);
        const expected = predict(model, row, 1)[0] as number;
        expect(Math.abs(r.score - expected)).toBeLessThan(1e-4);
      }
    }
    expect(versionsSeen).toEqual(new Set(Object.keys(models)));
  }, 60_000);
});

