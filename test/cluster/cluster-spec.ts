/**
 * The setting the cluster specs share: a local cluster per spec file with
 * short lease and snapshot timings, and the exactly-once check at the end
 * of a load (every accepted reading output once, nothing else).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect } from "vitest";
import { startLocalCluster, type LocalCluster, type LocalClusterOptions } from "../../deploy/local-cluster/launcher.js";
import { awaitOutputs, compare, readOutputs, type Output, type Publisher } from "./readings.js";

export const SPEC_TIMINGS = { leaseTtlMs: 3_000, snapshotIntervalMs: 1_000, memberTtlMs: 3_000 };

/** A HIGH THERMAL alarm rule on any unit's temperature above 90. */
export const hotTemperatureRule = (id: string) => ({ id, severity: "HIGH", category: "THERMAL", message: "{unit} {sensor} at {value}", condition: { type: "greater_than", sensor: "temperature", value: 90 } });

export interface ClusterSpecOptions extends LocalClusterOptions {
  /** The nodes' only alarm rules (the defaults off), written to a file of the spec's own, removed after it. */
  readonly alarmRules?: readonly unknown[];
}

/** Starts `nodes` nodes over a three-server NATS cluster before the file's specs, stops all after; `options` (made just before) adds to the spec setting. */
export function useLocalCluster(nodes: number, options?: () => ClusterSpecOptions | Promise<ClusterSpecOptions>): () => LocalCluster {
  let cluster: LocalCluster | undefined;
  let rulesDir: string | undefined;
  beforeAll(async () => {
    const { alarmRules, ...extra } = (await options?.()) ?? {};
    let sections = extra.sections;
    if (alarmRules !== undefined) {
      rulesDir = await mkdtemp(join(tmpdir(), "vigil-spec-rules-"));
      const rulesFile = join(rulesDir, "rules.json");
      await writeFile(rulesFile, JSON.stringify(alarmRules));
      sections = { ...sections, alarms: { defaultRules: false, rulesFile, ...sections?.alarms } };
    }
    cluster = await startLocalCluster({ nodes, partitions: 16, ...extra, ...(sections === undefined ? {} : { sections }), cluster: { ...SPEC_TIMINGS, ...extra.cluster } });
  }, 180_000);
  afterAll(async () => {
    await cluster?.stop();
    if (rulesDir !== undefined) await rm(rulesDir, { recursive: true, force: true });
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
