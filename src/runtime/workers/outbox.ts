/**
 * Batches what one thread sends to one port: envelopes, replies, snapshots
 * and events are collected and posted together on the next microtask (or at
 * a size threshold), so a postMessage carries hundreds of messages.
 *
 * A value that cannot be cloned makes postMessage throw for the whole batch;
 * the outbox then posts items one by one and hands the bad ones back, so one
 * bad message never costs the others.
 */
import type { ActorAddress } from "../address.js";
import type { Envelope, Reply } from "../envelope.js";
import type { RuntimeEvent } from "../events.js";
import type { Batch, PackedEnvelopes } from "./protocol.js";

/** Flush at this many envelopes without waiting for the microtask. */
const MAX_BATCH = 1_024;

export interface OutboxSink {
  post(batch: Batch): void;
  /** Envelopes actually posted (the receiver's `posted` counter). */
  posted?(count: number): void;
  uncloneableEnvelope(env: Envelope, err: unknown): void;
  uncloneableReply(reply: Reply, err: unknown): void;
  uncloneableSnapshot(address: ActorAddress, err: unknown): void;
}

/**
 * When a batch goes out: at the end of the current microtask run (workers,
 * whose drain passes already gather many messages), or at the end of the
 * event-loop turn (the main thread, where connectors hand messages over one
 * at a time across microtasks — a microtask flush would post each alone).
 */
export type FlushTiming = "microtask" | "turn";

export class Outbox {
  private e: Envelope[] = [];
  private r: Reply[] = [];
  private s: [ActorAddress, unknown][] = [];
  private ev: RuntimeEvent[] = [];
  private ps: string[] = [];
  private pj: string[] = [];
  private armed = false;
  private readonly flushBound = (): void => this.flush();

  constructor(
    private readonly sink: OutboxSink,
    private readonly timing: FlushTiming = "microtask",
  ) {}

  envelope(env: Envelope): void {
    this.e.push(env);
    if (this.e.length >= MAX_BATCH) this.flush();
    else this.arm();
  }

  reply(reply: Reply): void {
    this.r.push(reply);
    this.arm();
  }

  snapshot(address: ActorAddress, state: unknown): void {
    this.s.push([address, state]);
    if (this.s.length >= MAX_BATCH) this.flush();
    else this.arm();
  }

  publish(subject: string, json: string): void {
    this.ps.push(subject);
    this.pj.push(json);
    if (this.ps.length >= MAX_BATCH) this.flush();
    else this.arm();
  }

  event(event: RuntimeEvent): void {
    this.ev.push(event);
    this.arm();
  }

  flush(): void {
    this.armed = false;
    const { e, r, s, ev, ps, pj } = this;
    if (e.length + r.length + s.length + ev.length + ps.length === 0) return;
    this.e = [];
    this.r = [];
    this.s = [];
    this.ev = [];
    this.ps = [];
    this.pj = [];
    const batch: Batch = { t: "batch" };
    if (e.length > 0) batch.e = packEnvelopes(e);
    if (r.length > 0) batch.r = r;
    if (s.length > 0) batch.s = s;
    if (ev.length > 0) batch.ev = ev;
    if (ps.length > 0) {
      batch.ps = ps;
      batch.pj = pj;
    }
    try {
      this.sink.post(batch);
      if (e.length > 0) this.sink.posted?.(e.length);
    } catch (err) {
      if (!isDataCloneError(err)) throw err;
      this.postOneByOne(e, r, s, ev);
      if (ps.length > 0) this.sink.post({ t: "batch", ps, pj }); // strings always clone
    }
  }

  private postOneByOne(e: Envelope[], r: Reply[], s: [ActorAddress, unknown][], ev: RuntimeEvent[]): void {
    let posted = 0;
    for (const env of e) {
      try {
        this.sink.post({ t: "batch", e: packEnvelopes([env]) });
        posted++;
      } catch (err) {
        this.sink.uncloneableEnvelope(env, err);
      }
    }
    if (posted > 0) this.sink.posted?.(posted);
    for (const reply of r) {
      try {
        this.sink.post({ t: "batch", r: [reply] });
      } catch (err) {
        this.sink.uncloneableReply(reply, err);
      }
    }
    for (const entry of s) {
      try {
        this.sink.post({ t: "batch", s: [entry] });
      } catch (err) {
        this.sink.uncloneableSnapshot(entry[0], err);
      }
    }
    if (ev.length > 0) this.sink.post({ t: "batch", ev });
  }

  private arm(): void {
    if (!this.armed) {
      this.armed = true;
      if (this.timing === "microtask") queueMicrotask(this.flushBound);
      else setImmediate(this.flushBound);
    }
  }
}

export function packEnvelopes(envs: readonly Envelope[]): PackedEnvelopes {
  const n = envs.length;
  const to = new Array<string>(n);
  const msg = new Array<unknown>(n);
  const from = new Array<string>(n);
  const meta = new Int32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const env = envs[i] as Envelope;
    to[i] = env.to;
    msg[i] = env.msg;
    from[i] = env.from ?? "";
    meta[i * 3] = env.ask;
    meta[i * 3 + 1] = env.origin;
    meta[i * 3 + 2] = env.credit;
  }
  return { to, msg, from, meta };
}

export function unpackEnvelope(p: PackedEnvelopes, i: number): Envelope {
  const from = p.from[i] as string;
  return {
    to: p.to[i] as string,
    msg: p.msg[i],
    from: from === "" ? undefined : from,
    ask: p.meta[i * 3] as number,
    origin: p.meta[i * 3 + 1] as number,
    credit: p.meta[i * 3 + 2] as number,
  };
}

export function isDataCloneError(err: unknown): boolean {
  return err instanceof Error && err.name === "DataCloneError";
}
