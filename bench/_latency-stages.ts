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

/** CPU time so far of each thread of this process (schedstat's first field), ms by thread id. */
function threadRuns(): Map<string, number> {
  const runs = new Map<string, number>();
  for (const tid of readdirSync("/proc/self/task")) {
    try {
      runs.set(tid, Number(readFileSync(`/proc/self/task/${tid}/schedstat`, "utf8").split(" ")[0]) / 1e6);
    } catch {
      continue; // the thread ended meanwhile
    }
  }
  return runs;
}

/** Run-queue wait so far of this process's main thread and of its other threads together, ms. */
function threadWaits(): Map<string, number> {
  const waits = new Map<string, number>();
  for (const tid of readdirSync("/proc/self/task")) {
    try {
      const wait = Number(readFileSync(`/proc/self/task/${tid}/schedstat`, "utf8").split(" ")[1]) / 1e6;
      const kind = tid === String(process.pid) ? "main" : "other threads";
      waits.set(kind, (waits.get(kind) ?? 0) + wait);
    } catch {
      continue; // the thread ended meanwhile
    }
  }
  return waits;
}

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
      let waits0 = threadWaits();
      let runs0 = threadRuns();
      let started = performance.now();
      await load([nats.url, "batch", UNITS, rate * seconds, "now", rate, 100], () => {
        measuring = true;
        loop.enable();
        cpu0 = process.cpuUsage();
        waits0 = threadWaits();
        runs0 = threadRuns();
        started = performance.now();
      });
      await until(from + rate * seconds);
      const cpu = process.cpuUsage(cpu0);
      const runS = (performance.now() - started) / 1000;
      const waits = [...threadWaits()].map(([kind, ms]) => `${kind} ${((ms - (waits0.get(kind) ?? 0)) / runS).toFixed(0)}`).join(", ");
      const busy = [...threadRuns()]
        .map(([tid, ms]) => ({ thread: tid === String(process.pid) ? "main" : tid, perS: (ms - (runs0.get(tid) ?? 0)) / runS }))
        .filter((t) => t.perS >= 5)
        .sort((a, b) => b.perS - a.perS);
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
          `thread cpu ms/s: ${busy.map((t) => `${t.thread} ${t.perS.toFixed(0)}`).join(", ")}\n`,
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
