/**
 * Bench `cluster`: Vigil nodes as real processes over a three-server NATS
 * cluster on loopback (deploy/local-cluster). What the bench knows of the
 * cluster it reads from the cluster itself — the members and partition-lease
 * key-value buckets (watched) and the processed readings the nodes publish —
 * never from a node's log.
 *
 * - readings_per_s with 1, 2 and 3 nodes: readings stored in the output
 *   stream per second over a window, after a warm-up, under a closed-loop
 *   batched feed (one ingest message per partition, the form a member's own
 *   ingest stores; the publisher keeps a bounded backlog ahead of the nodes,
 *   so they never wait for it). Compared with the one-node figure times the
 *   node count (linear scaling), so `ratio` is the scaling efficiency: on 2
 *   cores shared by three NATS servers, every node and the publisher it
 *   cannot be near 1, and the lines say so.
 * - cpu_us_per_reading over the same window, for the Vigil nodes, the NATS
 *   servers and the bench process (publisher and watch): what still means
 *   something when other work loads the machine.
 * - rebalance_s, on each join under that load: from the joiner's first
 *   heartbeat in the members bucket to the last of the partitions
 *   rendezvous hashing gives it processing a reading on it (the old owner
 *   has snapshotted and released it, the joiner restored it and consumes).
 * - failover_p50_s / failover_max_s over repeated kill -9s of a node under a
 *   steady single-reading load in every partition: from the SIGKILL to the
 *   last of the killed node's partitions processing a reading on a survivor
 *   (its lease expired and taken, its snapshot restored, the stream replayed
 *   from it — the first replayed reading counts). Each kill waits for a
 *   settled cluster (every lease held by its rendezvous owner) and one
 *   snapshot interval; a replacement node joins after each kill. The lines
 *   carry the lease timings used and when the leases alone were taken.
 * - lost_readings / duplicate_readings: every reading accepted during the
 *   failover run (and, in the full run, during the throughput and join
 *   phases) against the output stream, by sensor and sequence.
 *
 * --quick: two nodes started together, one kill without a replacement, then
 * the survivor's throughput; no join is timed. The lines say `quick`.
 */
import os from "node:os";
import { startLocalCluster, type LocalCluster, type LocalNode } from "../deploy/local-cluster/launcher.js";
import { ownerOf, partitionsOf } from "../src/runtime/cluster/index.js";
import { stopAllServers } from "../test/harness/servers.js";
import { awaitOutputs, compare, outputCount, publishReadings, type Publisher } from "../test/cluster/readings.js";
import { BatchFeed, cpuSecondsOf, natsCpuSeconds, ownCpuSeconds, readOutputsOf, unitName, unitsCovering } from "./load/cluster-load.js";
import { watchCluster, type ClusterWatch } from "./load/cluster-watch.js";
import { reportFigure } from "./report.js";
import type { SuiteOptions } from "./run.js";

const SUITE = "cluster";
const PARTITIONS = 32;
const CLUSTER_TIMINGS = { leaseTtlMs: 3_000, memberTtlMs: 3_000, snapshotIntervalMs: 2_000 };
/** What the failover lines are judged against (DESIGN.md: resumed within 5 s, nothing lost). */
const FAILOVER_TARGET_S = 5;
const REBALANCE_DEADLINE_MS = 90_000;

interface Plan {
  readonly warmupMs: number;
  readonly windowMs: number;
  readonly maxOutstanding: number;
  readonly kills: number;
  /** How long a kill may take to resume before the run fails (a --quick run must fail inside its minute, saying why). */
  readonly killDeadlineMs: number;
  /** Check every throughput-phase reading too (reads them all back: a minute of a full run's output). */
  readonly checkThroughputReadings: boolean;
}

/** 1, 2 and 3 nodes (each join timed under load), then ten kills, each followed by a replacement. */
const FULL: Plan = { warmupMs: 5_000, windowMs: 20_000, maxOutstanding: 6_000, kills: 10, killDeadlineMs: 60_000, checkThroughputReadings: true };
/**
 * Node starts are 10-15 s each on the shared 2 cores, so --quick starts its two nodes together (no join to time),
 * kills one without a replacement, and measures the survivor's throughput.
 */
const QUICK: Plan = { warmupMs: 1_000, windowMs: 4_000, maxOutstanding: 6_000, kills: 1, killDeadlineMs: 25_000, checkThroughputReadings: false };

export async function run(opts: SuiteOptions): Promise<void> {
  const plan = opts.quick ? QUICK : FULL;
  const quick: Record<string, string> = opts.quick ? { quick: "yes" } : {};
  const feedUnits = unitsCovering("T", PARTITIONS, 64);
  const failUnits = unitsCovering("F", PARTITIONS, 0);
  const cluster = await startLocalCluster({ nodes: 0, partitions: PARTITIONS, cluster: CLUSTER_TIMINGS, logLevel: "info" });
  let watch: ClusterWatch | undefined;
  let feed: BatchFeed | undefined;
  try {
    const urls = cluster.nats.urls;
    progress("NATS cluster up");
    // The first node creates the streams and buckets the watch and the feed use.
    await Promise.all(Array.from({ length: opts.quick ? 2 : 1 }, () => cluster.addNode()));
    progress(`${cluster.nodes.map((n) => n.id).join(", ")} up`);
    watch = await watchCluster(urls, PARTITIONS, [...feedUnits.sentinels, ...failUnits.sentinels]);
    feed = await BatchFeed.open(urls, { partitions: PARTITIONS, prefix: "T", units: feedUnits.units, sensors: 4, perSensorPerRound: 8, maxOutstanding: plan.maxOutstanding });
    if (opts.quick) {
      await failover(cluster, watch, failUnits, plan, quick);
      feed.start();
      await throughput(cluster, 1, undefined, plan, quick);
    } else {
      await throughputAndRebalance(cluster, watch, feed, feedUnits.units, plan);
      await failover(cluster, watch, failUnits, plan, quick);
    }
  } finally {
    await feed?.close();
    await watch?.close();
    // Killed, not stopped: a graceful leave (every partition snapshotted and handed off) is not what is measured, and takes seconds.
    await Promise.all(cluster.nodes.map((n) => n.kill()));
    await cluster.stop();
    await stopAllServers();
  }
}

async function throughputAndRebalance(cluster: LocalCluster, watch: ClusterWatch, feed: BatchFeed, feedUnits: number, plan: Plan): Promise<void> {
  const urls = cluster.nats.urls;
  const outputsFrom = await outputCount(urls);
  feed.start();
  let single: number | undefined;
  for (let nodes = 1; nodes <= 3; nodes++) {
    if (nodes > 1) {
      const joiner = await cluster.addNode();
      progress(`${joiner.id} up`);
      const { seconds, missing } = await rebalanced(cluster, watch, joiner);
      progress(`${joiner.id} rebalanced in ${seconds.toFixed(2)} s${missing > 0 ? ` (${missing} partitions still not processing on it)` : ""}; so far ${await churn(cluster)}`);
      const incomplete: Record<string, string> = missing > 0 ? { incomplete: `${missing} of its partitions not processing on it after ${REBALANCE_DEADLINE_MS / 1000} s` } : {};
      reportFigure({ suite: SUITE, metric: "rebalance_s", value: round(seconds), unit: "s", conditions: { nodes, partitions: PARTITIONS, under: "batched load", load1: loadAverage(), ...incomplete } });
    }
    const rate = await throughput(cluster, nodes, single, plan, {});
    single ??= rate;
  }
  await feed.halt();
  // The backlog is drained before the failover run, so it neither competes with nor counts as that run's work.
  const expected = feed.accepted();
  const drained = await awaitOutputs(urls, outputsFrom + expected, 180_000);
  progress(`${drained - outputsFrom} of ${expected} batched readings in the output stream; so far ${await churn(cluster)}`);
  if (plan.checkThroughputReadings) {
    const units = Array.from({ length: feedUnits }, (_, i) => unitName("T", i + 1));
    const { lost, duplicates, unexpected } = compare(feed.acceptedBySensor(), feed.base, await readOutputsOf(urls, units));
    reportFigure({ suite: SUITE, metric: "lost_readings", value: lost, unit: "readings", conditions: { phase: "throughput and joins", accepted: expected } });
    reportFigure({ suite: SUITE, metric: "duplicate_readings", value: duplicates + unexpected, unit: "readings", conditions: { phase: "throughput and joins", accepted: expected } });
  }
}

/** readings_per_s (and CPU per reading) of the running nodes under the feed (started), against `single` (one node's rate) times the node count when given. */
async function throughput(cluster: LocalCluster, nodes: number, single: number | undefined, plan: Plan, quick: Record<string, string>): Promise<number> {
  const urls = cluster.nats.urls;
  await sleep(plan.warmupMs);
  const running = cluster.nodes.filter((n) => n.running);
  const sample = async (): Promise<{ outputs: number; nodes: number; nats: number; bench: number; at: number }> => ({
    outputs: await outputCount(urls),
    nodes: sum(running.map((n) => cpuSecondsOf(n.pid))),
    nats: natsCpuSeconds(),
    bench: ownCpuSeconds(),
    at: performance.now(),
  });
  const from = await sample();
  await sleep(plan.windowMs);
  const to = await sample();
  const processed = to.outputs - from.outputs;
  const seconds = (to.at - from.at) / 1000;
  const rate = processed / seconds;
  const cpu = { nodes: to.nodes - from.nodes, nats: to.nats - from.nats, bench: to.bench - from.bench };
  // How much of the two cores the bench's processes got: the rest went to other work on the machine.
  const share = (cpu.nodes + cpu.nats + cpu.bench) / seconds;
  progress(`${nodes} node(s): ${processed} readings processed in ${seconds.toFixed(1)} s, the bench's processes using ${share.toFixed(2)} of 2 cores (load ${loadAverage()})`);
  const conditions = { nodes, partitions: PARTITIONS, ingest: "batched, one message per partition", window_s: plan.windowMs / 1000, cores_used: round(share), load1: loadAverage(), ...quick };
  const figure = { suite: SUITE, metric: "readings_per_s", value: Math.round(rate), unit: "1/s", conditions };
  reportFigure(
    single === undefined
      ? figure
      : { ...figure, conditions: { ...conditions, note: "ratio = scaling efficiency; 2 cores shared by 3 NATS servers, every node and the publisher" }, baseline: `1 node x ${nodes} (linear)`, baseline_value: Math.round(single * nodes) },
  );
  for (const [processes, used] of [
    ["vigil nodes", cpu.nodes],
    ["nats servers", cpu.nats],
    ["bench (publisher, watch)", cpu.bench],
  ] as const) {
    reportFigure({ suite: SUITE, metric: "cpu_us_per_reading", value: processed === 0 ? 0 : Math.round((used * 1e6) / processed), unit: "us", conditions: { nodes, processes, ...quick } });
  }
  return rate;
}

/** A join timed: seconds from the joiner's first heartbeat to the last of its rendezvous partitions processing on it, or to the deadline. */
interface Rebalance {
  readonly seconds: number;
  /** Partitions rendezvous gives the joiner that were not processing on it by the deadline (0: complete). */
  readonly missing: number;
}

async function rebalanced(cluster: LocalCluster, watch: ClusterWatch, joiner: LocalNode): Promise<Rebalance> {
  const members = cluster.nodes.filter((n) => n.running).map((n) => n.id);
  const wanted = partitionsOf(joiner.id, members, PARTITIONS);
  const deadline = Date.now() + REBALANCE_DEADLINE_MS;
  for (;;) {
    const joinedAt = watch.joinedAt(joiner.id);
    if (joinedAt === undefined) {
      if (Date.now() > deadline) throw new Error(`${joiner.id} never appeared in the members bucket`);
    } else {
      const at = wanted.map((p) => watch.resumedAt(p, joinedAt, (node) => node === joiner.id));
      const done = at.filter((t) => t !== undefined);
      if (done.length === wanted.length) return { seconds: (Math.max(joinedAt, ...done) - joinedAt) / 1000, missing: 0 };
      // Printed as it stands (the line says so) rather than thrown: the run's other figures still come.
      if (Date.now() > deadline) return { seconds: (Date.now() - joinedAt) / 1000, missing: wanted.length - done.length };
    }
    await sleep(50);
  }
}

/** Partition tenures ended other than by handoff so far, from the nodes' logs: commentary on what a slow phase went through, not a measurement. */
async function churn(cluster: LocalCluster): Promise<string> {
  const counts = new Map<string, number>();
  for (const node of cluster.nodes) {
    for (const l of await node.log()) {
      if (l.msg === "partition fenced" || l.msg === "partition given up" || l.msg === "partition handed off") counts.set(l.msg, (counts.get(l.msg) ?? 0) + 1);
    }
  }
  return [...counts].map(([msg, n]) => `${n} × ${msg}`).join(", ") || "no partition handed off, fenced or given up";
}

async function failover(cluster: LocalCluster, watch: ClusterWatch, units: { units: number }, plan: Plan, quick: Record<string, string>): Promise<void> {
  const urls = cluster.nats.urls;
  const outputsFrom = await outputCount(urls);
  // Every partition carries this load (its units cover them all), so every partition a kill takes away has readings to resume.
  const load: Publisher = await publishReadings(urls, { units: units.units, sensors: 2, perSecond: 1_000, unitPrefix: "F" });
  const resumed: number[] = [];
  const leased: number[] = [];
  try {
    for (let k = 0; k < plan.kills; k++) {
      const running = cluster.nodes.filter((n) => n.running);
      const victim = running[0] as LocalNode;
      await settled(watch, running.map((n) => n.id));
      progress(`kill ${k + 1}: settled on ${running.length} nodes`);
      // One snapshot interval: the victim has snapshotted what it took in the last rebalance.
      await sleep(CLUSTER_TIMINGS.snapshotIntervalMs);
      const owned = watch.heldBy(victim.id);
      const killedAt = Date.now();
      await victim.kill();
      const survivor = (node: string): boolean => node !== victim.id;
      const deadline = killedAt + plan.killDeadlineMs;
      for (;;) {
        const resumedAt = owned.map((p) => watch.resumedAt(p, killedAt, survivor));
        const takenAt = owned.map((p) => watch.takenAt(p, killedAt, survivor));
        if (resumedAt.every((t) => t !== undefined) && takenAt.every((t) => t !== undefined)) {
          resumed.push((Math.max(...(resumedAt)) - killedAt) / 1000);
          leased.push((Math.max(...(takenAt)) - killedAt) / 1000);
          break;
        }
        if (Date.now() > deadline) {
          const stuck = owned.filter((_, i) => resumedAt[i] === undefined).map((p) => `${p} (lease: ${watch.holder(p) ?? "free"})`);
          throw new Error(
            `kill ${k + 1}: ${plan.killDeadlineMs / 1000} s after killing ${victim.id}, ${takenAt.filter((t) => t !== undefined).length} of its ${owned.length} partitions leased and ` +
              `${resumedAt.filter((t) => t !== undefined).length} processing on survivors; not processing: ${stuck.join(", ")}; ${await churn(cluster)}`,
          );
        }
        await sleep(50);
      }
      progress(`kill ${k + 1}/${plan.kills} (${victim.id}, ${owned.length} partitions): leases taken in ${leased.at(-1)?.toFixed(2)} s, processing in ${resumed.at(-1)?.toFixed(2)} s`);
      if (plan.kills > 1 && k < plan.kills - 1) await cluster.addNode(); // a replacement for the next kill
    }
  } finally {
    const accepted = await load.stop();
    const total = sum([...accepted.values()]);
    const names = Array.from({ length: units.units }, (_, i) => unitName("F", i + 1));
    // Only this run's readings reach the output stream now (the batched backlog is drained): a count is enough to wait on.
    await untilOutputsSettle(urls, outputsFrom + total);
    const { lost, duplicates, unexpected } = compare(accepted, load.base, await readOutputsOf(urls, names));
    progress(`failover run checked: ${total} readings; so far ${await churn(cluster)}`);
    // With no kill timed, no failover figure: the loop's own error (thrown from the try) is what the run reports.
    if (resumed.length > 0) {
      const conditions = {
        kills: resumed.length,
        target_s: FAILOVER_TARGET_S,
        lease_ttl_ms: CLUSTER_TIMINGS.leaseTtlMs,
        member_ttl_ms: CLUSTER_TIMINGS.memberTtlMs,
        snapshot_interval_ms: CLUSTER_TIMINGS.snapshotIntervalMs,
        partitions: PARTITIONS,
        ...quick,
      };
      reportFigure({ suite: SUITE, metric: "failover_p50_s", value: round(median(resumed)), unit: "s", conditions: { ...conditions, leases_taken_p50_s: round(median(leased)) } });
      reportFigure({ suite: SUITE, metric: "failover_max_s", value: round(Math.max(...resumed)), unit: "s", conditions: { ...conditions, leases_taken_max_s: round(Math.max(...leased)) } });
    }
    reportFigure({ suite: SUITE, metric: "lost_readings", value: lost, unit: "readings", conditions: { phase: "failover", kills: resumed.length, accepted: total, ...quick } });
    reportFigure({ suite: SUITE, metric: "duplicate_readings", value: duplicates + unexpected, unit: "readings", conditions: { phase: "failover", kills: resumed.length, accepted: total, ...quick } });
  }
}

/** Until the output stream holds `count` messages, or has not grown for 30 s (what is missing then is reported lost), or 5 minutes. */
async function untilOutputsSettle(urls: string[], count: number): Promise<void> {
  const deadline = Date.now() + 300_000;
  let last = -1;
  let grewAt = Date.now();
  for (;;) {
    const n = await outputCount(urls);
    if (n >= count || Date.now() > deadline || Date.now() - grewAt > 30_000) {
      if (n < count) progress(`the output stream stopped at ${count - n} short of this run's readings`);
      return;
    }
    if (n > last) [last, grewAt] = [n, Date.now()];
    await sleep(500);
  }
}

/** Until every partition's lease is held by its rendezvous owner among `members`. */
async function settled(watch: ClusterWatch, members: string[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const off = [...Array(PARTITIONS).keys()].filter((p) => watch.holder(p) !== ownerOf(p, members));
    if (off.length === 0) return;
    if (Date.now() > deadline) throw new Error(`the cluster did not settle in 60 s: partitions ${off.join(", ")} are not held by their owners among ${members.join(", ")}`);
    await sleep(50);
  }
}

const startedAt = performance.now();

/** Commentary on stderr, with the seconds since the bench began (where a --quick run's minute goes). */
function progress(text: string): void {
  process.stderr.write(`bench cluster [${((performance.now() - startedAt) / 1000).toFixed(1)} s]: ${text}\n`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

/** The lower median (p50 of a short list, one of its values). */
function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] as number;
}

function loadAverage(): number {
  return Math.round((os.loadavg()[0] ?? 0) * 10) / 10;
}
