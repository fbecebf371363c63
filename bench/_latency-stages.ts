/**
 * Diagnostic, not a suite: where the pipeline bench's latency goes. Runs one
 * node (as bench/pipeline.ts runs it: batched NATS ingest, unit-batch output,
 * models on unless --models=off), warms it flat out, then offers batched load
 * (100 readings a message, stamped with their send time) at each given rate
 * and splits every sampled reading's latency at the stamps its processed
 * output carries:
 *
 *   send → receivedAt     load generator, NATS, the node's ingest on main
 *   receivedAt → processedAt   main → worker, sensor actor, model batch, answer
 *   processedAt → seen    worker → main, outlet, NATS, back to this process
 *
 * receivedAt and processedAt are Date.now() (1 ms steps), so the split is
 * good to about a millisecond. Also prints main's event-loop delay, the
 * node's CPU per reading at each rate, and how long the node's threads
 * waited for a core (run-queue wait from /proc schedstat, ms per second of
 * the run: main's, and that of all its other threads together — shard
 * workers, V8's helpers, libuv's pool; Node 20 names them all "node"). On a shared 2-core machine that wait is most of a stall's length
 * when other benches run (measured: a worker's stalls of >= 2 ms were two
 * thirds waiting at load 4-5), so it says how far a run's tail is the
 * machine's and not the node's.
 *
 * Also each of the node's busy threads' CPU (ms per second of the run, from
 * schedstat: "main", the others by thread id), and with --trace=<prefix>
 * every sampled reading's stamps (send time, then total, ingest, worker and
 * out in ms, and its unit) as JSON in <prefix>-<rate>.json: a tail's
 * readings bunched in time (a stall of the node) or spread out read
 * differently.
 *
 * What the machine did during such a stall: run this under `perf record -k
 * CLOCK_REALTIME -e cpu-clock -F 999 -g -a -- node --perf-basic-prof
 * --import tsx bench/_latency-stages.ts … --trace=<prefix>`; `perf script
 * -F comm,pid,tid,time,ip,sym` then stamps samples in epoch seconds, the
 * trace's clock, so a stall's window can be cut out thread by thread.
 * Measured that way at 60,000/s: stalls in which V8's helper threads marked
 * a shard worker's or main's old generation (a major GC, every 1-2 s of
 * each isolate), and one in which the load generator itself was compiling
 * and collecting.
 *
 * usage: tsx bench/_latency-stages.ts [--rates=5000,20000,46000] [--seconds=5] [--models=on|off] [--trace=<prefix>]
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";
import * as hdr from "hdr-histogram-js";
import type { ProcessedReading } from "../src/actors/readings/index.js";
import { unitIds } from "../src/actors/simulator/unit-ids.js";
import { SUBJECTS } from "../src/actors/subjects.js";
import type { RunningNode } from "../src/node/start.js";
import { connectNatsTransport } from "../src/runtime/transport/index.js";
import { startNats, type ServerHandle } from "../test/harness/servers.js";
import { startBenchNode } from "./load/bench-node.js";
import { runLoad } from "./load/run-load.js";

const UNITS = 200;
const SAMPLED = unitIds("UNIT", UNITS).filter((_, i) => i % 10 === 0);

const { values } = parseArgs({ options: { rates: { type: "string", default: "5000,20000,46000" }, seconds: { type: "string", default: "5" }, models: { type: "string", default: "on" }, trace: { type: "string" } } });
const rates = values.rates.split(",").map(Number);
const seconds = Number(values.seconds);

async function load(args: (string | number)[], onStart?: () => void): Promise<void> {
  await runLoad("nats-load.ts", args, onStart);
}

/** Each thread of this process by id, from schedstat: CPU time and run-queue wait so far, ms. */
function threadTimes(): Map<string, { run: number; wait: number }> {
  const times = new Map<string, { run: number; wait: number }>();
  for (const tid of readdirSync("/proc/self/task")) {
    try {
      const [run, wait] = readFileSync(`/proc/self/task/${tid}/schedstat`, "utf8").split(" ");
      times.set(tid, { run: Number(run) / 1e6, wait: Number(wait) / 1e6 });
    } catch {
      continue; // the thread ended meanwhile
    }
  }
  return times;
}

/** The main thread's name, or the others' as one. */
const kindOf = (tid: string): string => (tid === String(process.pid) ? "main" : "other threads");

function histogram(): hdr.Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
}

async function main(): Promise<void> {
  const nats: ServerHandle = await startNats({ jetstream: false });
  const bench = await startBenchNode({ models: { enabled: values.models !== "off" }, transport: { kind: "nats", nats: { servers: [nats.url] } } });
  const node: RunningNode = bench.node;
  let published = 0;
  node.feed.source.listen((e) => {
    if (e.kind === "sensor_data") published++;
  });
  const until = async (n: number): Promise<void> => {
    let last = -1;
    let since = performance.now();
    while (published < n) {
      if (published !== last) [last, since] = [published, performance.now()];
      else if (performance.now() - since > 10_000) throw new Error(`stuck at ${published} of ${n}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const observer = await connectNatsTransport({ servers: nats.url, name: "diag-latency" });
  const stages = { total: histogram(), ingest: histogram(), worker: histogram(), out: histogram() };
  let measuring = false;
  const trace: [number, number, number, number, number, string][] = [];
  const decoder = new TextDecoder();
  const subs = SAMPLED.map((unit) => observer.subscribe(SUBJECTS.processedBatch(unit), { maxPending: 1_000_000 }));
  const watch = Promise.all(
    subs.map(async (sub) => {
      for await (const msg of sub) {
        const seenAt = performance.timeOrigin + performance.now();
        if (!measuring) continue;
        for (const r of JSON.parse(decoder.decode(msg.data)) as ProcessedReading[]) {
          const us = (ms: number): number => Math.max(1, Math.round(ms * 1000));
          stages.total.recordValue(us(seenAt - r.ts));
          if (values.trace !== undefined) trace.push([r.ts, seenAt - r.ts, r.receivedAt - r.ts, r.processedAt - r.receivedAt, seenAt - r.processedAt, r.unit]);
          stages.ingest.recordValue(us(r.receivedAt - r.ts));
          stages.worker.recordValue(us(r.processedAt - r.receivedAt));
          stages.out.recordValue(us(seenAt - r.processedAt));
        }
      }
    }),
  );
  await observer.flush();
  try {
    // Warm: past the sensors' warm-up, then flat out, as the bench's latency run follows its throughput run.
    await load([nats.url, "batch", UNITS, 15_000, Date.now() - 3_600_000]);
    await load([nats.url, "batch", UNITS, 200_000, Date.now() - 3_000_000]);
    await until(215_000);
    for (const rate of rates) {
      for (const h of Object.values(stages)) h.reset();
      const loop = monitorEventLoopDelay({ resolution: 1 });
      await load([nats.url, "batch", UNITS, Math.min(rate, 20_000), "now", rate, 100]);
      const from = published;
      let cpu0 = process.cpuUsage();
      let times0 = threadTimes();
      let started = performance.now();
      await load([nats.url, "batch", UNITS, rate * seconds, "now", rate, 100], () => {
        measuring = true;
        loop.enable();
        cpu0 = process.cpuUsage();
        times0 = threadTimes();
        started = performance.now();
      });
      await until(from + rate * seconds);
      const cpu = process.cpuUsage(cpu0);
      const runS = (performance.now() - started) / 1000;
      const perThread = [...threadTimes()].map(([tid, t]) => {
        const before = times0.get(tid) ?? { run: 0, wait: 0 };
        return { tid, runPerS: (t.run - before.run) / runS, waitPerS: (t.wait - before.wait) / runS };
      });
      const waitByKind = new Map<string, number>();
      for (const t of perThread) waitByKind.set(kindOf(t.tid), (waitByKind.get(kindOf(t.tid)) ?? 0) + t.waitPerS);
      const waits = [...waitByKind].map(([kind, perS]) => `${kind} ${perS.toFixed(0)}`).join(", ");
      const busy = perThread
        .filter((t) => t.runPerS >= 5)
        .sort((a, b) => b.runPerS - a.runPerS)
        .map((t) => `${t.tid === String(process.pid) ? "main" : t.tid} ${t.runPerS.toFixed(0)}`);
      await new Promise((r) => setTimeout(r, 300));
      measuring = false;
      loop.disable();
      if (values.trace !== undefined) writeFileSync(`${values.trace}-${rate}.json`, JSON.stringify(trace));
      trace.length = 0;
      const q = (h: hdr.Histogram, p: number): string => (h.getValueAtPercentile(p) / 1000).toFixed(2);
      const row = (name: string, h: hdr.Histogram): string => `${name.padEnd(7)} p50 ${q(h, 50).padStart(7)}  p99 ${q(h, 99).padStart(7)}  p99.9 ${q(h, 99.9).padStart(7)}  max ${q(h, 100).padStart(7)}`;
      process.stdout.write(
        `rate ${rate}/s models ${values.models} samples ${stages.total.totalCount} cpu_us_per_reading ${((cpu.user + cpu.system) / (rate * seconds)).toFixed(1)} load ${(await import("node:os")).loadavg()[0]?.toFixed(2)}\n` +
          `${row("total", stages.total)}\n${row("ingest", stages.ingest)}\n${row("worker", stages.worker)}\n${row("out", stages.out)}\n` +
          `main loop delay ms: p50 ${(loop.percentile(50) / 1e6).toFixed(2)} p99 ${(loop.percentile(99) / 1e6).toFixed(2)} max ${(loop.max / 1e6).toFixed(2)}\n` +
          `run-queue wait ms/s: ${waits}\n` +
          `thread cpu ms/s: ${busy.join(", ")}\n`,
      );
    }
  } finally {
    for (const sub of subs) sub.unsubscribe();
    await watch;
    await observer.close();
    await bench.close();
    await nats.stop();
  }
}

await main();
