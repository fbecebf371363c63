/**
 * How soon a promotion on one node reaches another: two JetStream registry
 * instances on their own connections to one nats-server (two nodes), node B
 * watching. Each round registers and stages a version on node A (untimed),
 * then promotes it:
 *
 * - `registry_promote_ms`: node A's transition call (plan, compare-and-set append);
 * - `registry_swap_notify_ms`: from the start of that call to node B's watch
 *   hearing the version enter Production;
 * - `registry_swap_load_ms`: to node B holding the version's checked bytes
 *   (object store read, hash and onnxruntime load check) — what a scorer
 *   waits for before it swaps.
 *
 * Median and p99 over the rounds; one server on loopback, so this is the
 * registry's own cost, not a network's.
 */
import { connect } from "@nats-io/transport-node";
import { JetStreamModelRegistry, type Algorithm, type AuditEntry, type Task } from "../../src/ml/index.js";
import { startNats, stopAllServers } from "../../test/harness/servers.js";
import { reportFigure } from "../report.js";

export interface SwapModel {
  readonly algorithm: Algorithm;
  readonly task: Task;
  readonly features: readonly string[];
  readonly onnx: Uint8Array;
}

const BY = { who: "bench", why: "registry swap" };

export async function benchRegistrySwap(suite: string, model: SwapModel, rounds: number): Promise<void> {
  const server = await startNats();
  const ncA = await connect({ servers: server.url, name: "bench-node-a" });
  const ncB = await connect({ servers: server.url, name: "bench-node-b" });
  try {
    const a = await JetStreamModelRegistry.open({ nats: ncA, bucket: "bench-models" });
    const b = await JetStreamModelRegistry.open({ nats: ncB, bucket: "bench-models" });
    let heard: ((entry: AuditEntry) => void) | undefined;
    const watch = b.watch((entry) => heard?.(entry));
    await watch.ready;
    const promote: number[] = [];
    const notify: number[] = [];
    const load: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const v = await a.register(
        { model: "swap", ...model, params: {}, metrics: {}, trainingWindow: { from: 0, to: 1 }, dataHash: "0".repeat(64), seed: round },
        BY,
      );
      await a.transition("swap", v.version, "Staging", BY);
      const inProduction = new Promise<void>((resolve) => {
        heard = (e) => {
          if (e.version === v.version && e.to === "Production") resolve();
        };
      });
      const started = performance.now();
      await a.transition("swap", v.version, "Production", BY);
      promote.push(performance.now() - started);
      await inProduction;
      notify.push(performance.now() - started);
      await b.load("swap", v.version);
      load.push(performance.now() - started);
    }
    watch.stop();
    const conditions = { rounds, onnx_bytes: model.onnx.length, nodes: 2 };
    for (const [metric, samples] of [
      ["registry_promote_ms", promote],
      ["registry_swap_notify_ms", notify],
      ["registry_swap_load_ms", load],
    ] as const) {
      reportFigure({ suite, metric, value: round2(quantile(samples, 0.5)), unit: "ms", conditions: { ...conditions, quantile: "p50" } });
      reportFigure({ suite, metric: `${metric.slice(0, -"_ms".length)}_p99_ms`, value: round2(quantile(samples, 0.99)), unit: "ms", conditions });
    }
  } finally {
    await ncA.close();
    await ncB.close();
    await stopAllServers();
  }
}

function quantile(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}
