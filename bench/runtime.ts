/**
 * Runtime bench: messages/s through actors within one worker and across
 * workers, activation cost, and memory per idle actor at 1,000,000 actors.
 * Baselines in the same run: a hand-rolled promise-chain mailbox (what one
 * writes without a runtime) for local messaging, and one postMessage per
 * message between two threads for cross-worker messaging.
 */
import { fileURLToPath } from "node:url";
import { MessageChannel, Worker } from "node:worker_threads";
import v8 from "node:v8";
import vm from "node:vm";
import { pino } from "pino";
import { createActorSystem, fnv1a32, type ActorSystem } from "../src/runtime/index.js";
import type { SuiteOptions } from "./run.js";
import { reportFigure } from "./report.js";
import type { Serve } from "./fixtures/runtime-kinds.js";

const SUITE = "runtime";
const KINDS = fileURLToPath(new URL("./fixtures/runtime-kinds.ts", import.meta.url));
const log = pino({ level: "warn" });

export async function run(opts: SuiteOptions): Promise<void> {
  const scale = opts.quick ? 1 : 4;
  progress("local messaging");
  await localThroughput(2_000_000 * scale);
  progress("cross-worker messaging");
  await crossWorkerThroughput(1_000_000 * scale);
  progress("activation");
  await activation(opts.quick ? 200_000 : 500_000);
  progress("1,000,000 idle actors");
  await idleActorMemory(1_000_000);
}

function progress(step: string): void {
  process.stderr.write(`bench runtime: ${step} (${(performance.now() / 1000).toFixed(1)} s)\n`);
}

/** Two unit ids that land on different workers of a 2-worker pool, and one that shares. */
function unitsOnWorkers(): { a: string; b: string } {
  let a: string | undefined;
  let b: string | undefined;
  for (let i = 0; a === undefined || b === undefined; i++) {
    const unit = `U${i}`;
    if (fnv1a32(unit) % 2 === 0) a ??= unit;
    else b ??= unit;
  }
  return { a, b };
}

/** Serve `balls` countdowns between pairs, wait for all to finish; returns messages/s. */
async function rally(system: ActorSystem, unitA: string, unitB: string, balls: number, total: number): Promise<number> {
  const left = Math.floor(total / balls);
  const tallyAddr = `tally/${unitA}`;
  const start = performance.now();
  for (let i = 0; i < balls; i++) {
    const serve: Serve = { partner: `ball/${unitB}/${i}`, left, tally: tallyAddr };
    system.tell(`ball/${unitA}/${i}`, serve);
  }
  for (;;) {
    const done = await system.ask<number>(tallyAddr, "get");
    if (done >= balls) break;
    await new Promise((r) => setTimeout(r, 2));
  }
  const seconds = (performance.now() - start) / 1000;
  system.tell(tallyAddr, -balls);
  return (balls * (left + 1)) / seconds;
}

async function localThroughput(total: number): Promise<void> {
  const system = await createActorSystem({ workers: 1, kindModules: [KINDS], log, snapshotIntervalMs: 0 });
  await rally(system, "U0", "U0", 1_000, total / 10); // warm-up
  const value = await rally(system, "U0", "U0", 1_000, total);
  await system.stop();
  const baseline = await promiseChainBaseline(1_000, total);
  reportFigure({ suite: SUITE, metric: "local_msgs_per_s", value: Math.round(value), unit: "1/s", baseline: "promise-chain mailbox", baseline_value: Math.round(baseline) });
}

async function crossWorkerThroughput(total: number): Promise<void> {
  const { a, b } = unitsOnWorkers();
  const system = await createActorSystem({ workers: 2, kindModules: [KINDS], log, snapshotIntervalMs: 0 });
  await rally(system, a, b, 2_000, total / 10);
  const value = await rally(system, a, b, 2_000, total);
  await system.stop();
  const baseline = await postMessagePerMessageBaseline(Math.min(total, 500_000));
  reportFigure({ suite: SUITE, metric: "cross_worker_msgs_per_s", value: Math.round(value), unit: "1/s", baseline: "postMessage per message", baseline_value: Math.round(baseline) });
}

async function activation(count: number): Promise<void> {
  const system = await createActorSystem({ workers: 1, kindModules: [KINDS], log });
  await system.ask("spawner/W", { count: 10_000, prefix: "warm" });
  const start = performance.now();
  await system.ask("spawner/U", { count, prefix: "a" });
  // The spawner's tells are queued; an ask to the last idle actor returns after it is active.
  await system.ask(`idle/U/a${count - 1}`, "ping");
  const us = ((performance.now() - start) * 1000) / count;
  await system.stop();
  reportFigure({ suite: SUITE, metric: "activation_us", value: Number(us.toFixed(3)), unit: "us" });
}

function gc(): void {
  v8.setFlagsFromString("--expose-gc");
  (vm.runInNewContext("gc") as () => void)();
}

/** Measured on a shard on this thread, so the heap measured is the one the actors live in. */
async function idleActorMemory(count: number): Promise<void> {
  const system = await createActorSystem({ workers: 0, kindModules: [KINDS], log, passivationSweepMs: 3_600_000 });
  await system.ask("idle/U/warm", 0);
  gc();
  const before = process.memoryUsage().heapUsed;
  const chunk = 10_000;
  for (let i = 0; i < count; i += chunk) {
    for (let j = i; j < i + chunk; j++) system.tell(`idle/U${j % 1000}/${j}`, 0);
    await new Promise((r) => setImmediate(r));
  }
  await system.ask(`idle/U${(count - 1) % 1000}/${count - 1}`, 0);
  const stats = await system.stats();
  gc();
  const after = process.memoryUsage().heapUsed;
  const active = stats.shards[0]?.activeActors ?? 0;
  reportFigure({ suite: SUITE, metric: "bytes_per_idle_actor", value: Math.round((after - before) / active), unit: "bytes" });
  reportFigure({ suite: SUITE, metric: "idle_actors", value: active, unit: "actors" });
  await system.stop();
}

// ---- baselines --------------------------------------------------------------

/** Actors done by hand: each mailbox is a promise chain, each message a microtask. */
async function promiseChainBaseline(balls: number, total: number): Promise<number> {
  const left = Math.floor(total / balls);
  let finished = 0;
  let done!: () => void;
  const allDone = new Promise<void>((r) => (done = r));
  const tails = new Map<string, Promise<void>>();
  const handlers = new Map<string, (m: { partner: string; left: number }) => void>();
  const send = (to: string, m: { partner: string; left: number }): void => {
    const prev = tails.get(to) ?? Promise.resolve();
    tails.set(to, prev.then(() => (handlers.get(to) as (m: { partner: string; left: number }) => void)(m)));
  };
  const start = performance.now();
  for (let i = 0; i < balls; i++) {
    for (const side of ["a", "b"]) {
      const self = `${side}${i}`;
      handlers.set(self, (m) => {
        if (m.left === 0) {
          if (++finished === balls) done();
        } else send(m.partner, { partner: self, left: m.left - 1 });
      });
    }
    send(`a${i}`, { partner: `b${i}`, left });
  }
  await allDone;
  return (balls * (left + 1)) / ((performance.now() - start) / 1000);
}

/** Two threads exchanging one postMessage per message, no batching. */
async function postMessagePerMessageBaseline(total: number): Promise<number> {
  const code = `
    const { parentPort } = require("node:worker_threads");
    parentPort.once("message", ({ port }) => {
      port.on("message", (m) => port.postMessage(m));
    });`;
  const worker = new Worker(code, { eval: true });
  const { port1, port2 } = new MessageChannel();
  worker.postMessage({ port: port2 }, [port2]);
  const inFlight = 2_000;
  let received = 0;
  let sent = 0;
  const start = performance.now();
  await new Promise<void>((resolve) => {
    port1.on("message", (m: { to: string; left: number }) => {
      received++;
      if (sent < total) {
        port1.postMessage({ to: m.to, left: m.left - 1 });
        sent++;
      } else if (received === sent) resolve();
    });
    for (let i = 0; i < inFlight; i++, sent++) port1.postMessage({ to: `ball/U/${i}`, left: 1 });
  });
  const seconds = (performance.now() - start) / 1000;
  port1.close();
  await worker.terminate();
  return (received * 2) / seconds; // each round trip is two messages
}
