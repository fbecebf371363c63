/**
 * Where a node's CPU goes per reading (by hand, not a suite): a node started
 * as bench/pipeline.ts starts its batched-NATS node (simulator, HTTP, OPC UA
 * and history off, processed output per unit), warmed up with 15 readings per
 * sensor, then `readings` more of the plant load sent flat out. Prints one
 * JSON line: CPU µs per reading of the whole process and of each of its
 * threads (from /proc: "main", the shard workers and V8's helper threads —
 * garbage collection and compilation — by thread id), and the scoring
 * methods of a sample of the outputs.
 *
 * With VIGIL_WORKER_CPU_PROFILE=<dir> the shard workers write CPU profiles
 * (src/runtime/workers/profile.ts); with PROFILE_MAIN=<file> the main thread
 * writes one of the measured part. Run with `node --trace-gc --import tsx`
 * for the collections.
 *
 * usage: npx tsx bench/_profile-pipeline.ts [readings]
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import { fileURLToPath } from "node:url";
import { startNats } from "../test/harness/servers.js";
import { startBenchNode } from "./load/bench-node.js";
import { eventSeconds } from "./load/plant-values.js";

const UNITS = 200;
const WARM_UP = 15_000;
/** Every this many outputs, one's scoring method is counted. */
const METHOD_SAMPLE = 16;
const n = Number(process.argv[2] ?? 200_000);
const LOAD = fileURLToPath(new URL("./load/nats-load.ts", import.meta.url));

const nats = await startNats({ jetstream: false });
const bench = await startBenchNode({ transport: { kind: "nats", nats: { servers: [nats.url] } } });
const node = bench.node;

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

function load(readings: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", LOAD, nats.url, "batch", String(UNITS), String(readings), String(events(readings))], { stdio: ["ignore", "ignore", "inherit"] });
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`nats-load exited with ${String(code)}`))));
  });
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

/** User + system CPU of each thread of this process, in clock ticks (10 ms), by thread id. */
function threadTicks(): Map<string, number> {
  const ticks = new Map<string, number>();
  for (const tid of readdirSync("/proc/self/task")) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
    } catch {
      continue; // the thread ended meanwhile
    }
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // The thread's name (V8's workers, libuv's pool, onnxruntime's) tells whose CPU it is.
    const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")).replace(/\s+/g, "_");
    ticks.set(tid === String(process.pid) ? "main" : `${tid}:${name}`, Number(fields[11]) + Number(fields[12]));
  }
  return ticks;
}

await load(WARM_UP);
await until(WARM_UP);

const profileFile = process.env["PROFILE_MAIN"];
const session = profileFile === undefined ? undefined : new Session();
const post = (method: string, params: object = {}): Promise<unknown> =>
  new Promise((resolve, reject) => session?.post(method, params, (err, result) => (err === null ? resolve(result) : reject(err))));
if (session !== undefined) {
  session.connect();
  await post("Profiler.enable");
  await post("Profiler.start");
}

const from = count;
const ticksBefore = threadTicks();
const cpuBefore = process.cpuUsage();
const started = performance.now();
await load(n);
await until(from + n);
const cpu = process.cpuUsage(cpuBefore);
const seconds = (performance.now() - started) / 1000;
const ticksAfter = threadTicks();
const done = count - from;

if (session !== undefined && profileFile !== undefined) {
  const { profile } = (await post("Profiler.stop")) as { profile: unknown };
  writeFileSync(profileFile, JSON.stringify(profile));
}
const perThread: Record<string, number> = {};
for (const [thread, ticks] of ticksAfter) {
  const used = ticks - (ticksBefore.get(thread) ?? 0);
  if (used > 0) perThread[thread] = Number(((used * 10_000) / done).toFixed(2));
}
const perReading = (us: number): number => Number((us / done).toFixed(2));
process.stdout.write(
  `${JSON.stringify({ readings: done, per_s: Math.round(done / seconds), node_cpu_us_per_reading: perReading(cpu.user + cpu.system), user_us: perReading(cpu.user), sys_us: perReading(cpu.system), cpu_us_per_reading_by_thread: perThread, methods })}\n`,
);
await bench.close();
await nats.stop();
