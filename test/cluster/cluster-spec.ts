/**
 * The setting the cluster specs share: a local cluster per spec file with
 * short lease and snapshot timings, and the exactly-once check at the end
 * of a load (every accepted reading output once, nothing else).
 */
import { afterAll, beforeAll, expect } from "vitest";
import { startLocalCluster, type LocalCluster, type LocalClusterOptions } from "../../deploy/local-cluster/launcher.js";
import { awaitOutputs, compare, readOutputs, type Output, type Publisher } from "./readings.js";

export const SPEC_TIMINGS = { leaseTtlMs: 3_000, snapshotIntervalMs: 1_000, memberTtlMs: 3_000 };

/** Starts `nodes` nodes over a three-server NATS cluster before the file's specs, stops all after; `options` (made just before) adds to the spec setting. */
export function useLocalCluster(nodes: number, options?: () => Promise<LocalClusterOptions>): () => LocalCluster {
  let cluster: LocalCluster | undefined;
  beforeAll(async () => {
    const extra = (await options?.()) ?? {};
    cluster = await startLocalCluster({ nodes, partitions: 16, ...extra, cluster: { ...SPEC_TIMINGS, ...extra.cluster } });
  }, 180_000);
  afterAll(async () => {
    await cluster?.stop();
  });
  return () => {
    if (cluster === undefined) throw new Error("the local cluster did not start");
    return cluster;
  };
}

/** Stops the load and expects every accepted reading in the output stream exactly once; returns the outputs. */
export async function expectExactlyOnce(urls: string[], load: Publisher): Promise<Output[]> {
  const accepted = await load.stop();
  const total = [...accepted.values()].reduce((a, b) => a + b, 0);
  await awaitOutputs(urls, total, 60_000);
  const outputs = await readOutputs(urls);
  expect(compare(accepted, load.base, outputs)).toEqual({ lost: 0, duplicates: 0, unexpected: 0 });
  expect(outputs.length).toBe(total);
  return outputs;
}
