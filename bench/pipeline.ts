/**
 * Pipeline bench: readings/s end to end (ingest → validation → sensor actor
 * → features and score → processed output) for single-reading MQTT,
 * single-reading NATS and batched NATS ingest, and latency from the moment a
 * reading is sent to the moment its processed output is seen, at a fixed
 * offered rate of half the batched maximum measured in the same run
 * (HdrHistogram). DESIGN.md asks for p99 < 5 ms "at half the maximum load":
 * the maximum is the batched NATS figure, the one ingest path that can carry
 * the latency run's offered rates; the latency lines print the offered rate,
 * that maximum and their ratio, and what the node spent meanwhile
 * (node_cpu_us_per_reading, and node_cores_busy: CPU seconds per second of
 * the run, of the two cores it shares with NATS and the generator). A paced
 * load costs the node more per reading than the flat-out backlog of the
 * throughput run, so at half the maximum it is busier than half. Measured
 * (bench/_latency-stages.ts), about twice as much, spread over all its code
 * alike; not from the size of the load's messages: 1,000 readings a message
 * cost the same as 100.
 *
 * The node publishes processed readings per unit (`transport.processed:
 * "unit-batch"`, src/node/outlet.ts); every line says so. A reading counts
 * once the node has published it, scored — not when a sensor actor has
 * handled it, which with models is before its score is back — and
 * node_cpu_us_per_reading divides the CPU time up to then by those. The
 * latency run uses the batched run's node, warm.
 *
 * The load is the plant simulator's (bench/load/plant-values.ts): what the
 * anomaly models were trained on, one reading per sensor per second of the
 * readings' own time, sent as a backlog as fast as the node takes it, with a
 * scenario on one unit in ten from 20 s into each load; each throughput line
 * says which share of the processed readings it sampled came out anomalous,
 * and against the simulator's ground truth for those readings (printed by
 * the load generator) how many of the flagged were truly anomalous
 * (`flag_precision`) and how many of the truly anomalous were flagged
 * (`flag_recall`), with the truly anomalous share (`truth_anomalous`). The
 * node's model registry is its own, seeded from the checked-in baselines
 * (models/), so the figures are theirs and not whatever a shared registry
 * last held. The latency run stamps each reading with its send time instead,
 * to time it.
 *
 * Baseline in the same run: a Node-RED 4 flow doing the same job (MQTT in,
 * rolling z-score per topic, threshold, MQTT out) on the same broker.
 *
 * Everything shares the machine's cores: the broker or NATS server, the load
 * generator (its own process), the node's main thread and its shard workers.
 * The generator prepares its whole load before its go (bench/load/
 * start-signal.ts) and a run is timed from that go, so neither its start-up
 * nor its plant simulation is in the figure; the throughput lines print the
 * CPU it spent sending per reading (`load_cpu_us_per_reading`).
 */
import * as hdr from "hdr-histogram-js";
import mqtt from "mqtt";
import type { ProcessedReading } from "../src/actors/readings/index.js";
import type { GroundTruth, GroundTruthExport } from "../src/actors/simulator/index.js";
import { unitIds } from "../src/actors/simulator/unit-ids.js";
import { SUBJECTS } from "../src/actors/subjects.js";
import type { RunningNode } from "../src/node/start.js";
import { connectNatsTransport } from "../src/runtime/transport/index.js";
import { startMosquitto, startNats, type ServerHandle } from "../test/harness/servers.js";
import { startNodeRed } from "./baselines/node-red.js";
import { BENCH_PROCESSED_OUTPUT, startBenchNode, type BenchNode } from "./load/bench-node.js";
import { eventSeconds, truthFrom } from "./load/plant-values.js";
import { runLoad } from "./load/run-load.js";
import type { SuiteOptions } from "./run.js";
import { reportFigure } from "./report.js";

const SUITE = "pipeline";
const UNITS = 200;
const PROCESSED_OUTPUT = BENCH_PROCESSED_OUTPUT;
/** Readings each node is warmed up with: 15 per sensor, past its warm-up (scoring.minSamples, 10), so the models score from the first measured reading. */
const WARM_UP = 15_000;
/** Readings per NATS message in the latency run: small, so a reading's send stamp is close to when its batch leaves. */
const LATENCY_BATCH = 100;

export async function run(opts: SuiteOptions): Promise<void> {
  const n = opts.quick ? 100_000 : 500_000;
  // Bench broker: no per-client queue limit and no Nagle delay, so the broker is not what drops or stalls.
  const mosquitto = await startMosquitto({ extraConfig: ["max_queued_messages 0", "set_tcp_nodelay true"] });
  const nats = await startNats({ jetstream: false });
  try {
    progress("MQTT ingest, single readings");
    const viaMqtt = await mqttThroughput(mosquitto, n);
    progress("Node-RED baseline, same broker and load");
    const nodeRed = await nodeRedThroughput(mosquitto, n);
    reportFigure({
      suite: SUITE,
      metric: "mqtt_readings_per_s",
      value: Math.round(viaMqtt.perSecond),
      unit: "1/s",
      conditions: { readings: viaMqtt.processed, lost: viaMqtt.lost, node_cpu_us_per_reading: round1(viaMqtt.cpuUsPerReading), load_cpu_us_per_reading: round1(viaMqtt.loadCpuUsPerReading), ...viaMqtt.flags, processed_output: PROCESSED_OUTPUT },
      baseline: "node-red 4 flow (mqtt in, rolling z-score, threshold, mqtt out)",
      baseline_value: Math.round(nodeRed.perSecond),
    });

    progress("NATS ingest, single readings");
    const single = await natsThroughput(nats, "single", n);
    reportFigure({ suite: SUITE, metric: "nats_readings_per_s", value: Math.round(single.perSecond), unit: "1/s", conditions: { readings: single.processed, lost: single.lost, node_cpu_us_per_reading: round1(single.cpuUsPerReading), load_cpu_us_per_reading: round1(single.loadCpuUsPerReading), ...single.flags, processed_output: PROCESSED_OUTPUT } });
    progress("NATS ingest, batches of 1,000");
    let maximum = 0;
    let offered = 0;
    let latency: Latency | undefined;
    // The latency run uses the node that just ran flat out: warm, as a node in service is, rather than
    // one started seconds before, still compiling its hot code on the same cores it is timed on.
    const batched = await natsThroughput(nats, "batch", n * 2, async (node, result) => {
      reportFigure({ suite: SUITE, metric: "nats_batched_readings_per_s", value: Math.round(result.perSecond), unit: "1/s", conditions: { readings: result.processed, lost: result.lost, batch: 1_000, node_cpu_us_per_reading: round1(result.cpuUsPerReading), load_cpu_us_per_reading: round1(result.loadCpuUsPerReading), ...result.flags, processed_output: PROCESSED_OUTPUT } });
      maximum = Math.round(result.perSecond);
      offered = Math.max(1_000, Math.round(result.perSecond / 2 / 1_000) * 1_000);
      progress(`latency at ${offered} readings/s offered (half the batched maximum of ${maximum}/s)`);
      latency = await latencyAt(nats, node, offered, opts.quick ? 5 : 15);
    });
    if (latency === undefined) throw new Error(`the batched run (${batched.processed} readings) ended without a latency run`);
    for (const [metric, value] of [
      ["latency_p50_ms", latency.p50],
      ["latency_p99_ms", latency.p99],
      ["latency_p999_ms", latency.p999],
    ] as const) {
      reportFigure({
        suite: SUITE,
        metric,
        value: Number(value.toFixed(3)),
        unit: "ms",
        conditions: {
          offered_rate: offered,
          max_rate: maximum,
          offered_of_max: Number((offered / maximum).toFixed(2)),
          batch: LATENCY_BATCH,
          samples: latency.samples,
          node_cpu_us_per_reading: round1(latency.cpuUsPerReading),
          node_cores_busy: Number(latency.cores.toFixed(2)),
          load_cpu_us_per_reading: round1(latency.loadCpuUsPerReading),
          processed_output: PROCESSED_OUTPUT,
        },
      });
    }
  } finally {
    await mosquitto.stop();
    await nats.stop();
  }
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function progress(step: string): void {
  process.stderr.write(`bench pipeline: ${step} (${(performance.now() / 1000).toFixed(1)} s)\n`);
}

interface Throughput {
  perSecond: number;
  processed: number;
  lost: number;
  /**
   * CPU time of the node's process (main thread and shard workers, user +
   * system) per processed reading: unlike readings/s, it hardly moves when
   * other processes compete for the cores.
   */
  cpuUsPerReading: number;
  /** CPU time of the load generator's process while it sent, per reading sent: what it took from the node's cores. */
  loadCpuUsPerReading: number;
  flags: Flags;
}

/** Of the processed readings sampled (every ANOMALY_SAMPLE-th), as the throughput lines print them. */
interface Flags {
  /** The share that came out anomalous. */
  anomalous: number;
  /** Of those, the share the simulator's truth says are anomalous. */
  flag_precision: number;
  /** Of the truly anomalous, the share that came out anomalous. */
  flag_recall: number;
  /** The share the simulator's truth says are anomalous. */
  truth_anomalous: number;
}

/**
 * Sends a load to the node and times it from the generator's go (its
 * start-up and the preparing of its load left out) until `expected` readings
 * came out of the node: its rate, the node's CPU and the generator's.
 */
async function timedLoad(node: RunningNode, script: "nats-load.ts" | "mqtt-load.ts", args: (string | number)[], expected: number): Promise<Throughput> {
  const from = processedCount(node);
  sampleFrom(node);
  let started = 0;
  let cpuBefore = process.cpuUsage();
  const load = await runLoad<GroundTruthExport>(script, args, () => {
    started = performance.now();
    cpuBefore = process.cpuUsage();
  });
  const processed = await waitProcessed(node, from, expected);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    perSecond: processed / seconds,
    processed,
    lost: expected - processed,
    cpuUsPerReading: (cpu.user + cpu.system) / processed,
    loadCpuUsPerReading: load.cpu_us / load.sent,
    flags: flagsOf(node, truthFrom(load.truth)),
  };
}

/** The bench node (bench/load/bench-node.ts), counting what it publishes. */
async function benchNode(settings: Record<string, unknown>): Promise<BenchNode> {
  const bench = await startBenchNode(settings);
  countPublished(bench.node);
  return bench;
}

/**
 * Processed readings each bench node has published: what leaves its outlet,
 * scored. Not the sensor actors' handled-message count: with models, a
 * reading is handled when its features go to the model's batch and only
 * published once the score is back, and counting handled readings once
 * reported readings still waiting for their score (and left their CPU time
 * out of the figure).
 */
const published = new WeakMap<RunningNode, { count: number; kept: string[] }>();
/** Every this many processed readings, one is kept (its text, parsed after the timed run), so the count costs the node next to nothing. */
const ANOMALY_SAMPLE = 64;

function countPublished(node: RunningNode): void {
  const seen = { count: 0, kept: [] as string[] };
  node.feed.source.listen((event) => {
    if (event.kind !== "sensor_data") return;
    if (++seen.count % ANOMALY_SAMPLE === 0) seen.kept.push(event.json);
  });
  published.set(node, seen);
}

/** Starts a sample afresh: what flagsOf judges is what is kept from here. */
function sampleFrom(node: RunningNode): void {
  const seen = published.get(node);
  if (seen !== undefined) seen.kept = [];
}

/** The readings kept since sampleFrom, judged against the truth of the load that sent them. */
function flagsOf(node: RunningNode, truth: GroundTruth): Flags {
  let sampled = 0;
  let flagged = 0;
  let truthful = 0;
  let rightly = 0;
  for (const json of published.get(node)?.kept ?? []) {
    const r = (JSON.parse(json) as { data: ProcessedReading }).data;
    const anomalous = truth.at(r.unit, r.sensor, r.ts)?.anomalous ?? false;
    sampled++;
    if (r.anomaly) flagged++;
    if (anomalous) truthful++;
    if (anomalous && r.anomaly) rightly++;
  }
  const share = (part: number, whole: number): number => (whole === 0 ? Number.NaN : Number((part / whole).toFixed(3)));
  return { anomalous: share(flagged, sampled), flag_precision: share(rightly, flagged), flag_recall: share(rightly, truthful), truth_anomalous: share(truthful, sampled) };
}

/**
 * The readings' own time for a node's successive loads: each load starts a
 * second after the last one's readings ended, so every sensor's timestamps
 * keep rising from load to load, and all of them stay in the past (an hour
 * back to start with; a run spans minutes of it) for the latency run's
 * send-time stamps to follow.
 */
function eventClock(): (count: number) => number {
  let next = Date.now() - 60 * 60 * 1000;
  return (count) => {
    const start = next;
    next += (eventSeconds(count, UNITS) + 1) * 1000;
    return start;
  };
}

function processedCount(node: RunningNode): number {
  return published.get(node)?.count ?? 0;
}

/** Wait until `expected` readings have been processed, or until progress stops for 10 s (then report what arrived). */
async function waitProcessed(node: RunningNode, from: number, expected: number): Promise<number> {
  let last = -1;
  let lastChange = performance.now();
  for (;;) {
    const done = processedCount(node) - from;
    if (done >= expected) return done;
    if (done !== last) {
      last = done;
      lastChange = performance.now();
    } else if (performance.now() - lastChange > 10_000) {
      return done;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function mqttThroughput(broker: ServerHandle, n: number): Promise<Throughput> {
  const bench = await benchNode({
    mqtt: { enabled: true, url: broker.url, clientId: "vigil-bench", topics: [{ topic: "bench/{unit}/{sensor}", qos: 0, payload: "reading", unit: "{unit}", sensor: "{sensor}" }] },
  });
  const { node } = bench;
  const events = eventClock();
  try {
    await node.connectors.mqtt?.ready();
    await runLoad("mqtt-load.ts", [broker.url, "bench", UNITS, WARM_UP, events(WARM_UP)]);
    await waitProcessed(node, 0, WARM_UP);
    return await timedLoad(node, "mqtt-load.ts", [broker.url, "bench", UNITS, n, events(n)], n);
  } finally {
    await bench.close();
  }
}

async function nodeRedThroughput(broker: ServerHandle, n: number): Promise<Throughput> {
  const red = startNodeRed(broker.port);
  const counter = await mqtt.connectAsync(broker.url, { clean: true });
  let seen = 0;
  counter.on("message", () => seen++);
  await counter.subscribeAsync(red.outputFilter, { qos: 0 });
  try {
    // Node-RED connects to the broker on its own schedule: wait until a probe comes out.
    for (let i = 0; seen === 0; i++) {
      if (i > 300) throw new Error("node-red did not come up within 30 s");
      await counter.publishAsync(`${red.inputPrefix}/PROBE/temperature`, `{"value":1,"timestamp":${Date.now()}}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const events = eventClock();
    await runLoad("mqtt-load.ts", [broker.url, red.inputPrefix, UNITS, WARM_UP, events(WARM_UP)]);
    await until(() => seen >= WARM_UP, 10_000);
    const from = seen;
    let started = 0;
    const load = await runLoad("mqtt-load.ts", [broker.url, red.inputPrefix, UNITS, n, events(n)], () => (started = performance.now()));
    let last = -1;
    let lastChange = performance.now();
    while (seen - from < n) {
      if (seen !== last) {
        last = seen;
        lastChange = performance.now();
      } else if (performance.now() - lastChange > 10_000) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const processed = Math.min(n, seen - from);
    const flags = { anomalous: Number.NaN, flag_precision: Number.NaN, flag_recall: Number.NaN, truth_anomalous: Number.NaN };
    // Node-RED runs in its own process: its CPU is not this one's.
    return { perSecond: processed / ((performance.now() - started) / 1000), processed, lost: n - processed, cpuUsPerReading: Number.NaN, loadCpuUsPerReading: load.cpu_us / load.sent, flags };
  } finally {
    await counter.endAsync();
    await red.stop();
  }
}

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

/** `then`, when given, runs on the same node once its throughput is known, before the node stops. */
async function natsThroughput(server: ServerHandle, mode: "single" | "batch", n: number, then?: (node: RunningNode, result: Throughput) => Promise<void>): Promise<Throughput> {
  const bench = await benchNode({ transport: { kind: "nats", nats: { servers: [server.url] } } });
  const { node } = bench;
  const events = eventClock();
  try {
    await runLoad("nats-load.ts", [server.url, mode, UNITS, WARM_UP, events(WARM_UP)]);
    await waitProcessed(node, 0, WARM_UP);
    const result = await timedLoad(node, "nats-load.ts", [server.url, mode, UNITS, n, events(n)], n);
    await then?.(node, result);
    return result;
  } finally {
    await bench.close();
  }
}

interface Latency {
  p50: number;
  p99: number;
  p999: number;
  samples: number;
  /** The node's process CPU (its main thread, shard workers and V8's helpers) per reading while the load was offered. */
  cpuUsPerReading: number;
  /** …and in cores: CPU seconds per second of the run. */
  cores: number;
  loadCpuUsPerReading: number;
}

/** Units whose processed readings the latency run times: every tenth, a sample big enough for a p99.9 in a quick run. */
const LATENCY_UNITS = unitIds("UNIT", UNITS).filter((_, i) => i % 10 === 0);

/** Offer batched NATS load at a fixed rate; time send → output for the sampled units' processed readings. */
async function latencyAt(server: ServerHandle, node: RunningNode, rate: number, seconds: number): Promise<Latency> {
  const observer = await connectNatsTransport({ servers: server.url, name: "bench-latency" });
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 }); // µs
  const decoder = new TextDecoder();
  const subs = LATENCY_UNITS.map((unit) => observer.subscribe(SUBJECTS.processedBatch(unit), { maxPending: 1_000_000 }));
  let measuring = false;
  const watch = Promise.all(
    subs.map(async (sub) => {
      for await (const msg of sub) {
        const seenAt = performance.timeOrigin + performance.now();
        if (!measuring) continue;
        for (const r of JSON.parse(decoder.decode(msg.data)) as ProcessedReading[]) histogram.recordValue(Math.max(1, Math.round((seenAt - r.ts) * 1000)));
      }
    }),
  );
  try {
    await observer.flush();
    const warmUp = Math.min(rate, 20_000);
    const from = processedCount(node);
    await runLoad("nats-load.ts", [server.url, "batch", UNITS, warmUp, "now", warmUp, LATENCY_BATCH]);
    let cpuBefore = process.cpuUsage();
    let startedAt = performance.now();
    const load = await runLoad("nats-load.ts", [server.url, "batch", UNITS, rate * seconds, "now", rate, LATENCY_BATCH], () => {
      measuring = true;
      cpuBefore = process.cpuUsage();
      startedAt = performance.now();
    });
    await waitProcessed(node, from, warmUp + rate * seconds);
    // Up to the last reading processed, as the throughput runs count it; this process's CPU includes the bench's own
    // watching of a tenth of the outputs (on the node's main thread).
    const cpu = process.cpuUsage(cpuBefore);
    const wallUs = (performance.now() - startedAt) * 1000;
    await new Promise((r) => setTimeout(r, 500)); // the last outputs in flight
    measuring = false;
    const ms = (q: number): number => histogram.getValueAtPercentile(q) / 1000;
    const cpuUs = cpu.user + cpu.system;
    return { p50: ms(50), p99: ms(99), p999: ms(99.9), samples: histogram.totalCount, cpuUsPerReading: cpuUs / (rate * seconds), cores: cpuUs / wallUs, loadCpuUsPerReading: load.cpu_us / load.sent };
  } finally {
    for (const sub of subs) sub.unsubscribe();
    await watch;
    await observer.close();
  }
}
