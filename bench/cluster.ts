/**
 * Bench `cluster`: Vigil nodes as real processes over a three-server NATS
 * cluster on loopback (deploy/local-cluster), fed through the partitioned
 * ingest stream by a closed-loop publisher.
 *
 * - readings_per_s with 1, 2 and 3 nodes: processed readings stored in the
 *   output stream per second, after warm-up. Compared with the one-node
 *   figure times the node count (linear scaling), so `ratio` is the scaling
 *   efficiency — on a 2-core machine that also runs NATS and the publisher,
 *   expect it well below 1.
 * - rebalance_s: from a joining node being up to its having taken every
 *   partition rendezvous hashing gives it.
 * - failover_p50_s / failover_max_s over repeated kill -9s of a node under
 *   load: from the kill to the last of its partitions taken by a survivor
 *   (a replacement node is started after each kill).
 * - lost_readings / duplicate_readings: every accepted reading of the whole
 *   failover run against the output stream.
 */
import { startLocalCluster, type LocalCluster, type LocalNode } from "../deploy/local-cluster/launcher.js";
import { partitionsOf } from "../src/runtime/cluster/index.js";
import { stopAllServers } from "../test/harness/servers.js";
import { awaitOutputs, compare, outputCount, publishReadings, readOutputs } from "../test/cluster/readings.js";
import { reportFigure } from "./report.js";
import type { SuiteOptions } from "./run.js";

const SUITE = "cluster";
const PARTITIONS = 32;
const CLUSTER_TIMINGS = { leaseTtlMs: 3_000, memberTtlMs: 3_000, snapshotIntervalMs: 2_000 };

export async function run(opts: SuiteOptions): Promise<void> {
  const cluster = await startLocalCluster({ nodes: 0, partitions: PARTITIONS, cluster: CLUSTER_TIMINGS, logLevel: "info" });
  try {
    if (opts.quick) {
      // --quick: two nodes started together, one kill, then the survivor's throughput (last: its backlog is not awaited).
      // Node starts are most of a minute on a shared 2-core machine.
      await Promise.all([cluster.addNode(), cluster.addNode()]);
      await failover(cluster, 1);
      await throughput(cluster, 1, 2_000, undefined);
    } else {
      await cluster.addNode();
      await throughputAndRebalance(cluster, 15_000, 3);
      await failover(cluster, 10);
    }
  } finally {
    await cluster.stop();
    await stopAllServers();
  }
}

/** readings_per_s with the nodes running now, against `single` (one node's rate) times the node count when given. */
async function throughput(cluster: LocalCluster, nodes: number, windowMs: number, single: number | undefined): Promise<number> {
  const urls = cluster.nats.urls;
  const load = await publishReadings(urls, { units: 64, sensors: 4, perSecond: 200_000 });
  try {
    await sleep(Math.min(3_000, windowMs / 2)); // warm-up
    const offeredFrom = load.accepted();
    const rate = await outputRate(urls, windowMs);
    process.stderr.write(`bench cluster: ${nodes} node(s): ${Math.round(((load.accepted() - offeredFrom) * 1000) / windowMs)} readings/s accepted by the ingest stream, ${Math.round(rate)}/s processed\n`);
    const figure = { suite: SUITE, metric: "readings_per_s", value: Math.round(rate), unit: "1/s", conditions: { nodes, partitions: PARTITIONS } };
    reportFigure(single === undefined ? figure : { ...figure, baseline: `1 node x ${nodes} (linear)`, baseline_value: Math.round(single * nodes) });
    return rate;
  } finally {
    await load.stop();
  }
}

async function throughputAndRebalance(cluster: LocalCluster, windowMs: number, maxNodes: number): Promise<void> {
  let single: number | undefined;
  for (let nodes = 1; nodes <= maxNodes; nodes++) {
    if (nodes > 1) {
      const joiner = await cluster.addNode();
      const rebalanceS = await untilOwns(joiner, cluster.nodes.map((n) => n.id));
      reportFigure({ suite: SUITE, metric: "rebalance_s", value: round(rebalanceS), unit: "s", conditions: { nodes, partitions: PARTITIONS } });
    }
    const rate = await throughput(cluster, nodes, windowMs, single);
    single ??= rate;
  }
}

async function failover(cluster: LocalCluster, kills: number): Promise<void> {
  const urls = cluster.nats.urls;
  const before = await outputCount(urls);
  // Units of their own: the throughput phases' readings (and backlog) are not this run's.
  const load = await publishReadings(urls, { units: 24, sensors: 3, perSecond: 600, unitPrefix: "F" });
  const times: number[] = [];
  try {
    for (let k = 0; k < kills; k++) {
      const victim = cluster.nodes.find((n) => n.running) as LocalNode;
      // Killed only once it works its share under load (and has snapshotted it at least once).
      let owned = await ownedBy(victim);
      const settleFrom = Date.now();
      while ((owned.size === 0 || load.accepted() < 300 * (k + 1)) && Date.now() - settleFrom < 10_000) {
        await sleep(200);
        owned = await ownedBy(victim);
      }
      await sleep(CLUSTER_TIMINGS.snapshotIntervalMs);
      const killedAt = Date.now();
      await victim.kill();
      const survivors = cluster.nodes.filter((n) => n.running);
      const takenAt = await untilTaken(survivors, owned, killedAt);
      times.push((takenAt - killedAt) / 1000);
      process.stderr.write(`bench cluster: kill ${k + 1}/${kills}: ${owned.size} partitions back in ${times.at(-1)?.toFixed(2)} s\n`);
      if (k < kills - 1) await cluster.addNode(); // a replacement for the next kill
    }
  } finally {
    const accepted = await load.stop();
    const total = [...accepted.values()].reduce((a, b) => a + b, 0);
    await awaitOutputs(urls, before + total, 60_000);
    // Earlier phases may leave a backlog whose outputs also arrive meanwhile: wait on this run's own readings.
    let result = compare(accepted, load.base, (await readOutputs(urls)).filter((o) => o.unit.startsWith("F")));
    for (const deadline = Date.now() + 120_000; result.lost > 0 && Date.now() < deadline; ) {
      await sleep(2_000);
      result = compare(accepted, load.base, (await readOutputs(urls)).filter((o) => o.unit.startsWith("F")));
    }
    const { lost, duplicates, unexpected } = result;
    times.sort((a, b) => a - b);
    // With no kill timed, print no failover figure: the loop's own error (thrown from the try) is then what the run reports.
    if (times.length > 0) {
      reportFigure({ suite: SUITE, metric: "failover_p50_s", value: round(times[Math.floor((times.length - 1) / 2)] as number), unit: "s", conditions: { kills: times.length } });
      reportFigure({ suite: SUITE, metric: "failover_max_s", value: round(times.at(-1) as number), unit: "s", conditions: { kills: times.length } });
    }
    reportFigure({ suite: SUITE, metric: "lost_readings", value: lost, unit: "readings", conditions: { accepted: total } });
    reportFigure({ suite: SUITE, metric: "duplicate_readings", value: duplicates + unexpected, unit: "readings", conditions: { accepted: total } });
  }
}

/** Output messages stored per second over a window. */
async function outputRate(urls: string[], windowMs: number): Promise<number> {
  const from = await outputCount(urls);
  const started = performance.now();
  await sleep(windowMs);
  const to = await outputCount(urls);
  return ((to - from) * 1000) / (performance.now() - started);
}

/** Seconds until `node` has taken every partition it should own among `members`. */
async function untilOwns(node: LocalNode, members: string[]): Promise<number> {
  const wanted = partitionsOf(node.id, members, PARTITIONS).length;
  const started = Date.now();
  for (;;) {
    const taken = new Set((await node.log()).filter((l) => l.msg === "partition taken").map((l) => l.partition));
    if (taken.size >= wanted) return (Date.now() - started) / 1000;
    if (Date.now() - started > 60_000) throw new Error(`${node.id} took ${taken.size} of ${wanted} partitions in 60 s`);
    await sleep(50);
  }
}

/** The partitions a node owns by its own log. */
async function ownedBy(node: LocalNode): Promise<Set<number>> {
  const owned = new Set<number>();
  for (const l of await node.log()) {
    const p = l.partition as number;
    if (l.msg === "partition taken") owned.add(p);
    else if (l.msg === "partition handed off" || l.msg === "partition fenced" || l.msg === "partition given up") owned.delete(p);
  }
  return owned;
}

/** When (their log's time) the survivors had taken every one of `partitions` after `since`. */
async function untilTaken(survivors: LocalNode[], partitions: Set<number>, since: number): Promise<number> {
  for (;;) {
    const takenAt = new Map<number, number>();
    for (const node of survivors) {
      for (const l of await node.log()) {
        const p = l.partition as number;
        if (l.msg === "partition taken" && partitions.has(p) && (l.time as number) > since) takenAt.set(p, Math.min(takenAt.get(p) ?? Infinity, l.time as number));
      }
    }
    if (takenAt.size === partitions.size) return Math.max(since, ...takenAt.values());
    if (Date.now() - since > 60_000) throw new Error(`only ${takenAt.size} of ${partitions.size} partitions taken over in 60 s`);
    await sleep(50);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
