/**
 * Where a node's CPU goes per reading (by hand, not a suite): a node started
 * as bench/pipeline.ts starts its batched-NATS node (simulator, HTTP, OPC UA
 * and history off, processed output per unit) — or, with `mqtt`, its
 * single-reading MQTT node on a Mosquitto configured as that bench's (QoS 0;
 * `mqtt-qos1` subscribes and publishes the load at QoS 1) — warmed up with 15
 * readings per sensor, then `readings` more of the plant load sent flat out.
 * Prints one JSON line: CPU µs per reading of the whole process and of each
 * of its threads (from /proc: "main", the shard workers and V8's helper
 * threads — garbage collection and compilation — by thread id), of the
 * server (nats-server or Mosquitto) and of the load generator while it sent
 * (its start-up and the preparing of its load left out: the measured part
 * starts at its go, bench/load/start-signal.ts), which share the cores with
 * the node, and the scoring methods of a sample of the outputs.
 * `kinds` are the sensor and unit kinds' counters over the measured part
 * (messages processed, tells refused under backpressure, ...), and
 * `unit_backlog_at_end` the unit messages still queued when the last output
 * came: what the units handle after it, before their counts settle.
 *
 * With VIGIL_WORKER_CPU_PROFILE=<dir> the shard workers write CPU profiles
 * (src/runtime/workers/profile.ts); with PROFILE_MAIN=<file> the main thread
 * writes one of the measured part, with PROFILE_MAIN_HEAP=<file> a sampling
 * heap profile of it (collected objects included). Run with
 * `node --trace-gc --import tsx` for the collections.
 *
 * V8's CPU profiles sample wall time per thread: on these two shared cores a
 * function that is often preempted (a socket write that wakes the server, a
 * GC step) shows far more time than it takes. For CPU time by thread and
 * symbol, kernel included, Linux perf works here (software clock):
 * `perf record -e cpu-clock -F 499 -g -a -- node --perf-basic-prof --import
 * tsx bench/…`, then `perf script -F tid,ip,sym` (the main thread's id is
 * the process id).
 *
 * `nats-single` sends one reading per NATS message (as `nats_readings_per_s`
 * in bench/pipeline.ts) instead of batches of 1000.
 *
 * usage: npx tsx bench/_profile-pipeline.ts [readings] [nats|nats-single|mqtt|mqtt-qos1]
 */
import { readdirSync, readFileSync } from "node:fs";
import type { KindStats } from "../src/runtime/index.js";
import { startThreadProfile } from "../src/runtime/workers/profile.js";
import { startMosquitto, startNats } from "../test/harness/servers.js";
import { startBenchNode } from "./load/bench-node.js";
import { eventSeconds } from "./load/plant-values.js";
import { runLoad } from "./load/run-load.js";

const UNITS = 200;
const WARM_UP = 15_000;
/** Every this many outputs, one's scoring method is counted. */
const METHOD_SAMPLE = 16;
const n = Number(process.argv[2] ?? 200_000);
const mode = process.argv[3] ?? "nats";
if (!["nats", "nats-single", "mqtt", "mqtt-qos1"].includes(mode)) throw new Error(`unknown ingest ${mode}: nats, nats-single, mqtt or mqtt-qos1`);
const viaMqtt = mode.startsWith("mqtt");
const qos = mode === "mqtt-qos1" ? 1 : 0;

const server = viaMqtt ? await startMosquitto({ extraConfig: ["max_queued_messages 0", "set_tcp_nodelay true"] }) : await startNats({ jetstream: false });
const serverPid = pidOf(server.dataDir);
const bench = await startBenchNode(
  viaMqtt
    ? { mqtt: { enabled: true, url: server.url, clientId: "vigil-bench", topics: [{ topic: "bench/{unit}/{sensor}", qos, payload: "reading", unit: "{unit}", sensor: "{sensor}" }] } }
    : { transport: { kind: "nats", nats: { servers: [server.url] } } },
);
const node = bench.node;
await node.connectors.mqtt?.ready();

let count = 0;
const methods: Record<string, number> = {};
node.feed.source.listen((e) => {
  if (e.kind !== "sensor_data") return;
  if (++count % METHOD_SAMPLE !== 0) return;
  const method = /"method":"(\w+)"/.exec(e.json)?.[1] ?? "?";
  methods[method] = (methods[method] ?? 0) + 1;
});

let next = Date.now() - 60 * 60 * 1000;
/** The readings' own time for the next load: each starts a second after the last one's readings ended. */
function events(readings: number): number {
  const start = next;
  next += (eventSeconds(readings, UNITS) + 1) * 1000;
  return start;
}

/** Sends a load of `readings`; `onStart` runs when it is prepared and about to be sent. Resolves with the generator's CPU while sending, µs. */
async function load(readings: number, onStart?: () => void): Promise<number> {
  const args = viaMqtt ? [server.url, "bench", UNITS, readings, events(readings), 0, qos] : [server.url, mode === "nats-single" ? "single" : "batch", UNITS, readings, events(readings)];
  return (await runLoad(viaMqtt ? "mqtt-load.ts" : "nats-load.ts", args, onStart)).cpu_us;
}

/** Until `target` outputs were seen, or none came for 10 s. */
async function until(target: number): Promise<void> {
  let last = -1;
  let at = performance.now();
  while (count < target) {
    if (count !== last) {
      last = count;
      at = performance.now();
    } else if (performance.now() - at > 10_000) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The process whose command line names `text` (the server's data dir). */
function pidOf(text: string): number | undefined {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(text)) return Number(entry);
    } catch {
      // ended meanwhile
    }
  }
  return undefined;
}

/** The command name and the fields after it of /proc/<path>/stat. */
function stat(path: string): { name: string; fields: string[] } {
  const text = readFileSync(`/proc/${path}/stat`, "utf8");
  return { name: text.slice(text.indexOf("(") + 1, text.lastIndexOf(")")).replace(/\s+/g, "_"), fields: text.slice(text.lastIndexOf(")") + 2).split(" ") };
}

/** User + system CPU of each thread of this process, in clock ticks (10 ms), by thread id. */
function threadTicks(): Map<string, number> {
  const ticks = new Map<string, number>();
  for (const tid of readdirSync("/proc/self/task")) {
    try {
      // The thread's name (V8's workers, libuv's pool, onnxruntime's) tells whose CPU it is.
      const { name, fields } = stat(`self/task/${tid}`);
      ticks.set(tid === String(process.pid) ? "main" : `${tid}:${name}`, Number(fields[11]) + Number(fields[12]));
    } catch {
      continue; // the thread ended meanwhile
    }
  }
  return ticks;
}

/** Clock ticks of the server. */
function serverTicks(): number {
  const server = serverPid === undefined ? [] : stat(String(serverPid)).fields;
  return Number(server[11] ?? Number.NaN) + Number(server[12] ?? Number.NaN);
}

/** The kinds' counters once no unit message has been handled for two polls in a row: the units caught up. */
async function settledKinds(): Promise<Record<string, KindStats>> {
  let last = -1;
  let still = 0;
  for (;;) {
    const kinds = (await node.system.stats()).kinds;
    const processed = kinds.unit?.processed ?? 0;
    still = processed === last ? still + 1 : 0;
    if (still >= 2) return kinds;
    last = processed;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The counters of the sensor and unit kinds that moved between the two, e.g. `processed` and `refused`. */
function kindDeltas(before: Record<string, KindStats>, after: Record<string, KindStats>): Record<string, Partial<KindStats>> {
  const out: Record<string, Partial<KindStats>> = {};
  for (const kind of ["sensor", "unit"]) {
    const a = after[kind];
    if (a === undefined) continue;
    const moved: Partial<KindStats> = {};
    for (const [key, value] of Object.entries(a) as [keyof KindStats, number][]) {
      const delta = value - (before[kind]?.[key] ?? 0);
      if (delta !== 0) moved[key] = delta;
    }
    out[kind] = moved;
  }
  return out;
}

await load(WARM_UP);
await until(WARM_UP);

// The measured part only: warm-up and start-up left out.
const profile = await startThreadProfile({ cpuFile: process.env["PROFILE_MAIN"], heapFile: process.env["PROFILE_MAIN_HEAP"] });

const from = count;
// Nothing moves while the generator prepares its load: taken before its go, these count from it.
const kindsBefore = await settledKinds();
let ticksBefore = threadTicks();
let serverBefore = serverTicks();
let cpuBefore = process.cpuUsage();
let started = performance.now();
const loadCpu = await load(n, () => {
  ticksBefore = threadTicks();
  serverBefore = serverTicks();
  cpuBefore = process.cpuUsage();
  started = performance.now();
});
await until(from + n);
const cpu = process.cpuUsage(cpuBefore);
const seconds = (performance.now() - started) / 1000;
const ticksAfter = threadTicks();
const serverAfter = serverTicks();
const done = count - from;
const kindsAfter = (await node.system.stats()).kinds;
const unitBacklog = ((await settledKinds()).unit?.processed ?? 0) - (kindsAfter.unit?.processed ?? 0);

await profile.stop();
const perThread: Record<string, number> = {};
for (const [thread, ticks] of ticksAfter) {
  const used = ticks - (ticksBefore.get(thread) ?? 0);
  if (used > 0) perThread[thread] = Number(((used * 10_000) / done).toFixed(2));
}
const perReading = (us: number): number => Number((us / done).toFixed(2));
process.stdout.write(
  `${JSON.stringify({
    ingest: mode,
    readings: done,
    per_s: Math.round(done / seconds),
    node_cpu_us_per_reading: perReading(cpu.user + cpu.system),
    user_us: perReading(cpu.user),
    sys_us: perReading(cpu.system),
    cpu_us_per_reading_by_thread: perThread,
    server_cpu_us_per_reading: perReading((serverAfter - serverBefore) * 10_000),
    load_cpu_us_per_reading: perReading(loadCpu),
    kinds: kindDeltas(kindsBefore, kindsAfter),
    unit_backlog_at_end: unitBacklog,
    methods,
  })}\n`,
);
await bench.close();
await server.stop();
