/**
 * Transport bench: one publisher, one subscriber, 64-byte payloads.
 *
 * - in-process pub/sub throughput, beside node:events EventEmitter (what a
 *   single-process user would otherwise reach for; synchronous, unbounded,
 *   no subjects — the price of wildcards, queue groups and bounded async
 *   buffers shows in the ratio);
 * - NATS pub/sub throughput and request/reply rate through NatsTransport,
 *   beside the raw nats.js client doing the same work on the same server in
 *   the same run (the ratio is the cost of our wrapper).
 *
 * Publishers run with a credit window (never more than WINDOW messages ahead
 * of the subscriber), identical for every contender, so what is measured is
 * sustained end-to-end delivery rather than how fast a socket buffer fills.
 */

import { EventEmitter } from "node:events";
import { setImmediate as yieldToLoop } from "node:timers/promises";
import { connect } from "@nats-io/transport-node";
import { startNats, stopAllServers } from "../test/harness/servers.js";
import { connectNatsTransport, createInProcessBus, createInProcessTransport } from "../src/runtime/transport/index.js";
import type { Transport } from "../src/runtime/transport/index.js";
import { reportFigure } from "./report.js";
import type { SuiteOptions } from "./run.js";

const SUITE = "transport";
const PAYLOAD = new Uint8Array(64).fill(7);
const BATCH = 1_000; // messages published between yields to the event loop
const WINDOW = 20_000; // most messages a publisher may run ahead of its subscriber

/** Counts deliveries and lets a publisher wait for the count to reach a target. */
class Progress {
  received = 0;
  /** Payload bytes seen: every consumer reads its payload, as a real one would. */
  bytes = 0;
  private target = Infinity;
  private wake: (() => void) | undefined;

  add(data: Uint8Array): void {
    this.bytes += data.byteLength;
    this.received++;
    if (this.received >= this.target) {
      this.target = Infinity;
      this.wake?.();
    }
  }

  reached(target: number): Promise<void> {
    if (this.received >= target) return Promise.resolve();
    return new Promise((resolve) => {
      this.target = target;
      this.wake = resolve;
    });
  }
}

/** Publishes `total` messages with the credit window; resolves when all were delivered. Returns msgs/s. */
async function pump(total: number, progress: Progress, publish: () => void, flush: () => Promise<void>): Promise<number> {
  const started = performance.now();
  let sent = 0;
  while (sent < total) {
    const n = Math.min(BATCH, total - sent);
    for (let i = 0; i < n; i++) publish();
    sent += n;
    if (sent - progress.received > WINDOW) {
      await flush();
      await progress.reached(sent - WINDOW / 2);
    } else {
      await yieldToLoop();
    }
  }
  await flush();
  await progress.reached(total);
  return total / ((performance.now() - started) / 1000);
}

async function transportThroughput(pub: Transport, sub: Transport, total: number): Promise<number> {
  const subject = `bench.pubsub.${Math.random().toString(36).slice(2)}`;
  const subscription = sub.subscribe(subject);
  const progress = new Progress();
  const consumed = (async () => {
    for await (const m of subscription) progress.add(m.data);
  })();
  await sub.flush();
  const rate = await pump(total, progress, () => pub.publish(subject, PAYLOAD), () => pub.flush());
  if (subscription.dropped !== 0) throw new Error(`bench lost ${subscription.dropped} messages`);
  subscription.unsubscribe();
  await consumed;
  return rate;
}

async function emitterThroughput(total: number): Promise<number> {
  const emitter = new EventEmitter();
  const progress = new Progress();
  emitter.on("bench", (data: Uint8Array) => progress.add(data));
  return pump(total, progress, () => emitter.emit("bench", PAYLOAD), () => Promise.resolve());
}

async function rawNatsThroughput(url: string, total: number): Promise<number> {
  const pub = await connect({ servers: url });
  const sub = await connect({ servers: url });
  const subject = `bench.raw.${Math.random().toString(36).slice(2)}`;
  const subscription = sub.subscribe(subject);
  const progress = new Progress();
  const consumed = (async () => {
    for await (const m of subscription) progress.add(m.data);
  })();
  await sub.flush();
  const rate = await pump(total, progress, () => pub.publish(subject, PAYLOAD), () => pub.flush());
  subscription.unsubscribe();
  await consumed;
  await pub.close();
  await sub.close();
  return rate;
}

/** Sequential request/reply round trips per second. */
async function transportRequests(requester: Transport, responder: Transport, total: number): Promise<number> {
  const subject = `bench.rpc.${Math.random().toString(36).slice(2)}`;
  const service = responder.subscribe(subject);
  void (async () => {
    for await (const m of service) m.respond(m.data);
  })();
  await responder.flush();
  const started = performance.now();
  for (let i = 0; i < total; i++) await requester.request(subject, PAYLOAD);
  const rate = total / ((performance.now() - started) / 1000);
  service.unsubscribe();
  return rate;
}

async function rawNatsRequests(url: string, total: number): Promise<number> {
  const requester = await connect({ servers: url });
  const responder = await connect({ servers: url });
  const subject = `bench.rawrpc.${Math.random().toString(36).slice(2)}`;
  const service = responder.subscribe(subject);
  void (async () => {
    for await (const m of service) m.respond(m.data);
  })();
  await responder.flush();
  const started = performance.now();
  for (let i = 0; i < total; i++) await requester.request(subject, PAYLOAD, { timeout: 5_000 });
  const rate = total / ((performance.now() - started) / 1000);
  await requester.close();
  await responder.close();
  return rate;
}

/** Best of `rounds`, alternating contenders so neither always runs on a colder process. */
async function bestOf(rounds: number, ours: () => Promise<number>, theirs: () => Promise<number>): Promise<[number, number]> {
  let best: [number, number] = [0, 0];
  for (let r = 0; r < rounds; r++) {
    best = [Math.max(best[0], await ours()), Math.max(best[1], await theirs())];
  }
  return best;
}

const round = (x: number): number => Math.round(x);

export async function run(opts: SuiteOptions): Promise<void> {
  const messages = opts.quick ? 200_000 : 2_000_000;
  const requests = opts.quick ? 5_000 : 50_000;
  const rounds = opts.quick ? 1 : 3;

  const bus = createInProcessBus();
  const a = createInProcessTransport({ bus });
  const b = createInProcessTransport({ bus });
  await transportThroughput(a, b, 50_000); // warm-up
  const [inproc, emitter] = await bestOf(
    rounds,
    () => transportThroughput(a, b, messages),
    () => emitterThroughput(messages),
  );
  reportFigure({
    suite: SUITE,
    metric: "inprocess_msgs_per_s",
    value: round(inproc),
    unit: "1/s",
    baseline: "node:events EventEmitter",
    baseline_value: round(emitter),
  });
  const inprocRpc = await transportRequests(a, b, requests);
  reportFigure({ suite: SUITE, metric: "inprocess_requests_per_s", value: round(inprocRpc), unit: "1/s" });
  await a.close();
  await b.close();

  const server = await startNats({ jetstream: false });
  try {
    const pub = await connectNatsTransport({ servers: server.url, name: "bench-pub" });
    const sub = await connectNatsTransport({ servers: server.url, name: "bench-sub" });
    await transportThroughput(pub, sub, 50_000); // warm-up
    await rawNatsThroughput(server.url, 50_000);
    const [nats, raw] = await bestOf(
      rounds,
      () => transportThroughput(pub, sub, messages),
      () => rawNatsThroughput(server.url, messages),
    );
    reportFigure({
      suite: SUITE,
      metric: "nats_msgs_per_s",
      value: round(nats),
      unit: "1/s",
      baseline: "nats.js raw",
      baseline_value: round(raw),
    });
    const [natsRpc, rawRpc] = await bestOf(
      rounds,
      () => transportRequests(pub, sub, requests),
      () => rawNatsRequests(server.url, requests),
    );
    reportFigure({
      suite: SUITE,
      metric: "nats_requests_per_s",
      value: round(natsRpc),
      unit: "1/s",
      baseline: "nats.js raw",
      baseline_value: round(rawRpc),
    });
    await pub.close();
    await sub.close();
  } finally {
    await stopAllServers();
  }
}
