/**
 * The node every pipeline bench and diagnostic runs: as `npm start` would run
 * one, with the simulator, metrics, HTTP, OPC UA and history off, processed
 * readings published per unit, and a model registry of its own in a temp dir,
 * seeded from models/ at start. The default root (.cache/models) is kept
 * across runs and shared by checkouts; a bench node on it scored with whatever
 * baselines were there first (30 % false flags, measured once).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pino } from "pino";
import { loadConfig } from "../../src/config/index.js";
import { startNode, type RunningNode } from "../../src/node/start.js";
import { createRegistry } from "../../src/runtime/metrics.js";

/** How bench nodes publish processed readings; every figure line says so. */
export const BENCH_PROCESSED_OUTPUT = "unit-batch";

export interface BenchNode {
  readonly node: RunningNode;
  close(): Promise<void>;
}

/** `settings` overlay the bench defaults; `transport` and `models` are merged one level deep. */
export async function startBenchNode(settings: Record<string, unknown> = {}): Promise<BenchNode> {
  const dir = mkdtempSync(path.join(tmpdir(), "vigil-bench-"));
  const file = path.join(dir, "vigil.json");
  const { transport, models, ...rest } = settings as { transport?: Record<string, unknown>; models?: Record<string, unknown> };
  // History off: these figures are the pipeline's (ingest to scored output), compared with a Node-RED flow that stores nothing either.
  const config = {
    simulator: { enabled: false },
    metrics: { enabled: false },
    http: { enabled: false },
    opcua: { enabled: false },
    history: { enabled: false },
    models: { registry: { fs: { root: path.join(dir, "registry") } }, ...models },
    transport: { processed: BENCH_PROCESSED_OUTPUT, ...transport },
    ...rest,
  };
  writeFileSync(file, JSON.stringify(config));
  const node = await startNode(loadConfig({ file, env: {} }), { logger: pino({ level: "error" }), registry: createRegistry() });
  return {
    node,
    async close() {
      await node.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
