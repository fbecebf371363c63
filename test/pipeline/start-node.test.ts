/**
 * The node as `npm start` runs it: the default configuration (the simulator
 * feeding the ingest gateway, an in-process transport), with one real shard
 * worker thread, on the wall clock. What a new user should see within
 * seconds is on the transport: processed readings and unit states for every
 * simulated unit.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Registry } from "prom-client";
import { afterEach, expect, it } from "vitest";
import type { ProcessedReading, UnitState } from "../../src/actors/readings/index.js";
import { SUBJECTS } from "../../src/actors/subjects.js";
import { loadConfig } from "../../src/config/index.js";
import { startNode, type RunningNode } from "../../src/node/start.js";
import type { Subscription } from "../../src/runtime/transport/index.js";
import { silentLog } from "../fixtures/actor-system.js";

const UNITS = ["UNIT001", "UNIT002", "UNIT003", "UNIT004", "UNIT005"];
/** A bound, not a measurement: the simulator's first readings go out at start and the worker answers in milliseconds. */
const BOUND_MS = 10_000;

let node: RunningNode | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await node?.stop();
  node = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** History settings for a temp dir of the test's own: the default file would be shared with every other node on the machine. */
function ownHistory(): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), "vigil-start-node-"));
  dirs.push(dir);
  return { VIGIL_HISTORY_EMBEDDED_PATH: join(dir, "vigil.duckdb"), VIGIL_HISTORY_WRITER_SPOOL_DIR: join(dir, "spool"), VIGIL_MODELS_REGISTRY_FS_ROOT: join(dir, "models") };
}

/**
 * The first message from each of `units` on `sub` that `matches` (any, by
 * default); rejects naming the units still missing once `BOUND_MS` has passed.
 */
async function firstPerUnit<T extends { unit: string }>(sub: Subscription, units: readonly string[], matches: (payload: T) => boolean = () => true): Promise<Map<string, T>> {
  const seen = new Map<string, T>();
  const decoder = new TextDecoder();
  const bound = setTimeout(() => sub.unsubscribe(), BOUND_MS);
  try {
    for await (const msg of sub) {
      const payload = JSON.parse(decoder.decode(msg.data)) as T;
      if (!seen.has(payload.unit) && matches(payload)) seen.set(payload.unit, payload);
      if (units.every((u) => seen.has(u))) break;
    }
  } finally {
    clearTimeout(bound);
    sub.unsubscribe();
  }
  const missing = units.filter((u) => !seen.has(u));
  if (missing.length > 0) throw new Error(`nothing on ${sub.subject} from ${missing.join(", ")} within ${BOUND_MS} ms`);
  return seen;
}

it("a node started with the default config (simulator on, in-process transport, one worker) publishes processed readings and unit states for UNIT001..UNIT005", async () => {
  // Readings every 100 ms rather than every second: a sensor's warm-up (its first scoring.minSamples − 1 readings) passes within the bound.
  const config = loadConfig({ env: { VIGIL_RUNTIME_WORKERS: "1", VIGIL_HTTP_PORT: "0", VIGIL_SIMULATOR_INTERVAL_MS: "100", ...ownHistory() } });
  expect(config.simulator).toMatchObject({ enabled: true, units: 5, publishers: ["gateway"], intervalMs: 100 });
  expect(config.transport.kind).toBe("in-process");

  node = await startNode(config, { logger: silentLog, registry: new Registry() });
  // Subscribed before the event loop turns: the simulator's first readings are
  // still on their way to the worker, so no unit's first state (STARTUP) is missed.
  const processed = firstPerUnit<ProcessedReading>(node.transport.subscribe(SUBJECTS.processedAll), UNITS);
  const byModel = firstPerUnit<ProcessedReading>(node.transport.subscribe(SUBJECTS.processedAll), UNITS, (r) => r.method === "MODEL");
  const states = firstPerUnit<UnitState>(node.transport.subscribe(SUBJECTS.unitStateAll), UNITS);

  for (const [unit, reading] of await processed) {
    // A sensor's first reading is its warm-up: scored by rules, whatever models there are.
    expect(reading).toMatchObject({ unit, source: "simulator", method: "RULES", model_version: null });
    expect(typeof reading.value).toBe("number");
  }
  for (const [unit, reading] of await byModel) {
    // A fresh registry is seeded from the checked-in baselines (models/): their anomaly models score once the warm-up is over.
    expect(reading).toMatchObject({ unit, source: "simulator" });
    expect(reading.model_version).toMatch(new RegExp(`^anomaly\\.${reading.sensor}@\\d+$`));
  }
  for (const [unit, state] of await states) {
    expect(state).toMatchObject({ unit, status: "online", operationalState: "STARTUP", method: "RULES" });
    expect(Object.keys(state.sensors).length).toBeGreaterThan(0);
  }
  expect(node.simulator?.isRunning).toBe(true);
});
