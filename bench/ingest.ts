/**
 * Ingest bench: CPU time per reading of the ingest half alone — a JSON batch
 * of 1,000 readings parsed and validated on the main thread, routed, packed
 * per shard worker and posted, then unpacked and handed to each sensor
 * actor's receive — as the NATS batch subscription does it (parseBatch and
 * submitBatch, the gateway, a pool of 2 workers), with sensor actors that
 * do nothing (bench/fixtures/ingest-kinds.ts). What the pipeline bench's
 * node_cpu_us_per_reading spends before scoring starts.
 *
 * The load is the pipeline bench's (bench/load/plant-values.ts, 200 units),
 * encoded before the clock starts; CPU is the process's (main thread and
 * workers), which hardly moves when other processes compete for the cores.
 *
 * To see where it goes: `VIGIL_WORKER_CPU_PROFILE=<dir> node --cpu-prof
 * --cpu-prof-dir=<dir> --import tsx bench/run.ts ingest --quick` writes a
 * profile of the main thread and one per shard worker.
 */
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import { parseBatch, submitBatch } from "../src/actors/connectors/batch.js";
import { isRejection } from "../src/actors/connectors/decode.js";
import { IngestGateway } from "../src/actors/ingest/index.js";
import { IngestCounters } from "../src/actors/readings/index.js";
import { createActorSystem, type ActorSystem } from "../src/runtime/index.js";
import { PlantLoad } from "./load/plant-values.js";
import type { SuiteOptions } from "./run.js";
import { reportFigure } from "./report.js";

const UNITS = 200;
const BATCH = 1_000;
const WORKERS = 2;
const KINDS = fileURLToPath(new URL("./fixtures/ingest-kinds.ts", import.meta.url));

export async function run(opts: SuiteOptions): Promise<void> {
  const n = opts.quick ? 300_000 : 2_000_000;
  const log = pino({ level: "error" });
  const system = await createActorSystem({ workers: WORKERS, kindModules: [KINDS], log });
  try {
    const gateway = new IngestGateway({ system, counters: new IngestCounters(), log });
    const plant = new PlantLoad(UNITS, Date.now() - 60 * 60 * 1000);
    const body = (): Uint8Array => new TextEncoder().encode(`[${plant.next(BATCH).map((r) => `{"unit":"${r.unit}","sensor":"${r.sensor}",${r.fields}}`).join(",")}]`);
    // Warm-up: every sensor activated, the hot code compiled.
    const warm = Array.from({ length: 20 }, body);
    await ingest(gateway, warm);
    await handled(system, warm.length * BATCH);
    const bodies = Array.from({ length: n / BATCH }, body);
    const before = process.cpuUsage();
    const started = performance.now();
    await ingest(gateway, bodies);
    await handled(system, (warm.length + bodies.length) * BATCH);
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(before);
    reportFigure({
      suite: "ingest",
      metric: "ingest_batched_cpu_us_per_reading",
      value: Math.round(((used.user + used.system) / n) * 1000) / 1000,
      unit: "us",
      conditions: { readings: n, batch: BATCH, workers: WORKERS, readings_per_s: Math.round(n / seconds), actors: "no-op sensors" },
    });
  } finally {
    await system.stop();
  }
}

async function ingest(gateway: IngestGateway, bodies: readonly Uint8Array[]): Promise<void> {
  for (const b of bodies) {
    const items = parseBatch(b);
    if (isRejection(items)) throw new Error(`bench batch refused: ${items.detail}`);
    const answer = await submitBatch(gateway, items, "nats");
    if (answer.rejected.length > 0) throw new Error(`bench readings rejected: ${JSON.stringify(answer.rejected[0])}`);
  }
}

/** Waits until the sensor actors have handled `count` readings in all. */
async function handled(system: ActorSystem, count: number): Promise<void> {
  for (;;) {
    const stats = await system.stats();
    if ((stats.kinds["sensor"]?.processed ?? 0) >= count) return;
    await new Promise((r) => setTimeout(r, 10));
  }
}
