/**
 * Entry point of a shard worker thread: one Shard, a port to every peer
 * worker, and the parent port to the main thread. Runs on its own thread, so
 * nothing here may assume it shares memory with main except the counters.
 */
import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import { pino } from "pino";
import { systemClock } from "../clock.js";
import { CREDIT_BUDGETED, CREDIT_REMOTE, MAIN_ENDPOINT, type Envelope, type Reply } from "../envelope.js";
import { VigilError, serializeError, type VigilErrorCode } from "../errors.js";
import { KindRegistry, loadKindModules, type KindEntry, type KindStats } from "../kind-registry.js";
import { BoundedMemo } from "../bounded-memo.js";
import { shardOf } from "../placement.js";
import { Shard } from "../shard.js";
import { WorkerCounters } from "./counters.js";
import { decodeMessages, Outbox, unpackEnvelope, type OutboxSink, type ReceivedAddresses } from "./outbox.js";
import { startWorkerProfile } from "./profile.js";
import { SlabIndex } from "./snapshot-slabs.js";
import { SlabSnapshots } from "./slab-snapshots.js";
import type { Batch, FromWorker, ToWorker, WorkerInit } from "./protocol.js";

const parent = parentPort;
if (parent === null) throw new Error("shard-worker must run in a worker thread");
const init = workerData as WorkerInit;
const log = pino({ level: init.logLevel, base: { worker: init.index } });
const counters = new WorkerCounters(init.counters);

// Messages can arrive before the kind modules have loaded; hold them until then.
const early: ToWorker[] = [];
let handle: (m: ToWorker) => void = (m) => void early.push(m);
parent.on("message", (m: ToWorker) => handle(m));

const kinds = new KindRegistry(await loadKindModules(init.kindModules, init.kindConfig), init.settings.defaults);
/** The shard of each address routed from here (a sensor tells its unit per reading), up to 65,536 before starting afresh. */
const placements = new BoundedMemo<string, number>(65_536);
const peers: (Outbox | null)[] = new Array<Outbox | null>(init.workers).fill(null);
const toMain = new Outbox(sinkFor((b) => parent.postMessage(b satisfies FromWorker), undefined));
/** Kept here and posted to main in the same slabs: see snapshot-slabs.ts. */
const snapshots = new SlabSnapshots(SlabIndex.import(init.snapshots), log, () => toMain.snapshotQueued());
toMain.carrySnapshots(snapshots);

const shard = new Shard({
  index: init.index,
  kinds,
  clock: systemClock,
  log,
  askTimeoutMs: init.settings.askTimeoutMs,
  snapshotIntervalMs: init.settings.snapshotIntervalMs,
  passivationSweepMs: init.settings.passivationSweepMs,
  snapshots,
  links: {
    placement: (address) => {
      // Fixed for the worker's life (the worker count does not change): worked out once per address.
      let shard = placements.get(address);
      if (shard === undefined) {
        const entry = kinds.forAddress(address);
        if (entry === undefined) return init.index;
        shard = shardOf(entry, address, init.workers);
        placements.set(address, shard);
      }
      return shard;
    },
    forward: (target, env, entry) => forward(target, env, entry),
    reply: (reply) => {
      if (reply.origin === MAIN_ENDPOINT) toMain.reply(reply);
      else peers[reply.origin]?.reply(reply); // the asker's worker is down: its ask died with it
    },
    publish: (subject, json) => toMain.publish(subject, json),
    settled: (n) => settleAfterFlush(n),
    releaseCredit: (n) => counters.release(init.index, n),
    event: (event) => toMain.event(event),
  },
});

// Settled counts go up only after the snapshots covering them are posted to
// main: a crash in between must count those messages as lost.
let unsettled = 0;
function settleAfterFlush(n: number): void {
  if (unsettled === 0) {
    queueMicrotask(() => {
      toMain.flush();
      counters.settle(init.index, unsettled);
      unsettled = 0;
    });
  }
  unsettled += n;
}

function forward(target: number, env: Envelope, entry: KindEntry): boolean {
  const peer = peers[target];
  if (peer === null || peer === undefined) {
    deadLetter(env, "VIGIL_WORKER_CRASHED", `worker ${target} hosting ${env.to} is restarting`);
    return false;
  }
  if (entry.mailbox.overflow === "backpressure") {
    if (!counters.tryAcquire(target, 1, init.settings.inflightBudget)) {
      entry.stats.refused++;
      return false;
    }
    env.credit = CREDIT_BUDGETED;
  } else {
    env.credit = CREDIT_REMOTE;
  }
  peer.envelope(env, entry);
  return true;
}

function deadLetter(env: Envelope, code: VigilErrorCode, reason: string): void {
  toMain.event({ type: "dead-letter", address: env.to, code, reason });
  if (env.ask === 0) return;
  const reply: Reply = { ask: env.ask, origin: env.origin, ok: false, value: undefined, error: { name: "VigilError", code, message: reason } };
  if (env.origin === init.index) shard.settleReply(reply);
  else if (env.origin === MAIN_ENDPOINT) toMain.reply(reply);
  else peers[env.origin]?.reply(reply);
}

function sinkFor(post: (b: Batch) => void, target: number | undefined): OutboxSink {
  return {
    post,
    posted: target === undefined ? undefined : (n) => counters.addPosted(target, n),
    uncloneableEnvelope: (env, err) => {
      if (env.credit === CREDIT_BUDGETED && target !== undefined) counters.release(target, 1);
      deadLetter(env, "VIGIL_NOT_CLONEABLE", `message to ${env.to} cannot cross a worker boundary: ${serializeError(err).message}`);
    },
    uncloneableReply: (reply, err) => {
      const failed: Reply = {
        ...reply,
        ok: false,
        value: undefined,
        error: { name: "VigilError", code: "VIGIL_NOT_CLONEABLE", message: `the reply cannot cross a worker boundary: ${serializeError(err).message}` },
      };
      if (reply.origin === MAIN_ENDPOINT) toMain.reply(failed);
      else peers[reply.origin]?.reply(failed);
    },
  };
}

/** @param addresses the addresses its sender named so far (one list per port) */
function onBatch(batch: Batch, addresses: ReceivedAddresses): void {
  const e = batch.e;
  if (e !== undefined) {
    decodeMessages(e, kinds, addresses);
    for (let i = 0; i < e.to.length; i++) shard.deliver(unpackEnvelope(e, i, addresses));
  }
  if (batch.r !== undefined) for (const reply of batch.r) shard.settleReply(reply);
  shard.runReady();
}

function kindStats(): Record<string, KindStats> {
  const out: Record<string, KindStats> = {};
  for (const entry of kinds.all()) out[entry.name] = { ...entry.stats };
  return out;
}

function attachPeer(index: number, port: MessagePort): void {
  const addresses: ReceivedAddresses = [];
  port.on("message", (b: Batch) => onBatch(b, addresses));
  peers[index] = new Outbox(sinkFor((b) => port.postMessage(b), index));
}

const fromMain: ReceivedAddresses = [];
handle = (m: ToWorker): void => {
  switch (m.t) {
    case "batch":
      onBatch(m, fromMain);
      return;
    case "peer":
      attachPeer(m.index, m.port);
      return;
    case "peer-down":
      peers[m.index]?.flush();
      peers[m.index] = null;
      shard.failAsksTo(m.index, new VigilError("VIGIL_WORKER_CRASHED", `shard worker ${m.index} crashed`));
      parent.postMessage({ t: "peer-down-ack", index: m.index } satisfies FromWorker);
      return;
    case "stats":
      toMain.flush();
      parent.postMessage({ t: "stats", id: m.id, kinds: kindStats(), shard: shard.stats() } satisfies FromWorker);
      return;
    case "stop":
      void profiler.stop().then(() => shard.stop()).then(() => {
        for (const peer of peers) peer?.flush();
        toMain.flush();
        parent.postMessage({ t: "stopped" } satisfies FromWorker);
      });
      return;
  }
};
for (const m of early.splice(0)) handle(m);
// A replacement: its peers are wired (their ports came before the kinds loaded), so what the woken actors send finds them.
if (snapshots.size > 0) shard.activateRestored();
const profiler = await startWorkerProfile(init.index);
parent.postMessage({ t: "ready" } satisfies FromWorker);

process.on("uncaughtException", (err) => {
  parent.postMessage({ t: "fatal", error: serializeError(err) } satisfies FromWorker);
  process.exit(1);
});
