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
import type { KindEntry, KindRegistry } from "../kind-registry.js";
import type { Batch, CodedMessages, PackedEnvelopes } from "./protocol.js";
import type { SnapshotBatch } from "./snapshot-slabs.js";

/** Flush at this many envelopes without waiting for the microtask. */
const MAX_BATCH = 1_024;
/** Addresses a sender names by index before it starts its table afresh (bounds both ends' memory). */
const MAX_ADDRESSES = 65_536;

export interface OutboxSink {
  post(batch: Batch): void;
  /** Envelopes actually posted (the receiver's `posted` counter). */
  posted?(count: number): void;
  uncloneableEnvelope(env: Envelope, err: unknown): void;
  uncloneableReply(reply: Reply, err: unknown): void;
}

/** Where the snapshots a worker posts to main come from: the slab filled since the last batch. */
export interface SnapshotSource {
  seal(): SnapshotBatch | undefined;
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
  /** The kind of each envelope in `e`, when the sender knew it (for the kind's codec). */
  private k: (KindEntry | undefined)[] = [];
  private r: Reply[] = [];
  /** Snapshots queued in the source since the last batch. */
  private s = 0;
  private snapshots: SnapshotSource | undefined = undefined;
  private ev: RuntimeEvent[] = [];
  private ps: string[] = [];
  private pj: string[] = [];
  private armed = false;
  private readonly flushBound = (): void => this.flush();
  private readonly addresses = new AddressTable();
  private readonly subjects = new AddressTable();

  constructor(
    private readonly sink: OutboxSink,
    private readonly timing: FlushTiming = "microtask",
  ) {}

  /** @param kind the addressee's kind, so its codec can carry the message */
  envelope(env: Envelope, kind?: KindEntry): void {
    this.e.push(env);
    this.k.push(kind);
    if (this.e.length >= MAX_BATCH) this.flush();
    else this.arm();
  }

  reply(reply: Reply): void {
    this.r.push(reply);
    this.arm();
  }

  /** Carry the source's snapshots from now on. */
  carrySnapshots(source: SnapshotSource): void {
    this.snapshots = source;
  }

  /** The source queued a snapshot: it goes with the next batch. */
  snapshotQueued(): void {
    if (++this.s >= MAX_BATCH) this.flush();
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
    const { e, k, r, ev, ps, pj } = this;
    if (e.length + r.length + this.s + ev.length + ps.length === 0) return;
    const s = this.s > 0 ? this.snapshots?.seal() : undefined;
    this.e = [];
    this.k = [];
    this.r = [];
    this.s = 0;
    this.ev = [];
    this.ps = [];
    this.pj = [];
    const batch: Batch = { t: "batch" };
    if (e.length > 0) batch.e = packEnvelopes(e, k, this.addresses);
    if (r.length > 0) batch.r = r;
    if (s !== undefined) batch.s = s;
    if (ev.length > 0) batch.ev = ev;
    if (ps.length > 0) this.packPublications(batch, ps, pj);
    try {
      this.sink.post(batch);
      this.addresses.commit();
      this.subjects.commit();
      if (e.length > 0) this.sink.posted?.(e.length);
    } catch (err) {
      this.addresses.rollback();
      this.subjects.rollback();
      if (!isDataCloneError(err)) throw err;
      this.postOneByOne(e, k, r, s, ev);
      if (ps.length > 0) {
        // Strings always clone.
        this.sink.post(this.packPublications({ t: "batch" }, ps, pj));
        this.subjects.commit();
      }
    }
  }

  private packPublications(batch: Batch, ps: readonly string[], pj: string[]): Batch {
    batch.psFrom = this.subjects.begin();
    const ids = new Uint32Array(ps.length);
    for (let i = 0; i < ps.length; i++) ids[i] = this.subjects.indexOf(ps[i] as string);
    batch.ps = ids;
    batch.psNames = [...this.subjects.added];
    batch.pj = pj;
    return batch;
  }

  private postOneByOne(e: Envelope[], k: (KindEntry | undefined)[], r: Reply[], s: SnapshotBatch | undefined, ev: RuntimeEvent[]): void {
    let posted = 0;
    for (let i = 0; i < e.length; i++) {
      const env = e[i] as Envelope;
      try {
        this.sink.post({ t: "batch", e: packEnvelopes([env], [k[i]], this.addresses) });
        this.addresses.commit();
        posted++;
      } catch (err) {
        this.addresses.rollback();
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
    // Bytes, strings and numbers: they always clone.
    if (s !== undefined) this.sink.post({ t: "batch", s });
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

/**
 * The sender's half of a port's address table: each address crosses once,
 * and from then on an envelope names it by index — a thousand readings to a
 * thousand sensors were a thousand address strings to copy on every batch.
 * A batch's new addresses count as known only once its post succeeded
 * (commit); a post that threw takes them back (rollback). The receiver
 * keeps its half per port (ReceivedAddresses), in step because a port
 * delivers in order; a port of a replaced worker starts both afresh.
 */
export class AddressTable {
  private readonly indices = new Map<ActorAddress, number>();
  /** Entries the receiver holds. */
  private known = 0;
  /** This batch's new addresses, indexed from `known`. */
  private fresh: ActorAddress[] = [];

  /** Starts packing a batch; returns where its new addresses start (0 when the table starts afresh at its bound). */
  begin(): number {
    this.rollback();
    if (this.known >= MAX_ADDRESSES) {
      this.indices.clear();
      this.known = 0;
    }
    return this.known;
  }

  get added(): readonly ActorAddress[] {
    return this.fresh;
  }

  indexOf(address: ActorAddress): number {
    let i = this.indices.get(address);
    if (i === undefined) {
      i = this.known + this.fresh.length;
      this.fresh.push(address);
      this.indices.set(address, i);
    }
    return i;
  }

  commit(): void {
    this.known += this.fresh.length;
    this.fresh = [];
  }

  rollback(): void {
    for (const address of this.fresh) this.indices.delete(address);
    this.fresh = [];
  }
}

/** The receiver's half of a port's address table (see AddressTable): a list it brings up to date with each batch. */
export type ReceivedAddresses = string[];

/** Brings a receiver's table up to date with a batch: drops what is past `from`, then appends the batch's new names. */
export function receiveNames(table: ReceivedAddresses, from: number, names: readonly string[]): void {
  if (names.length === 0 && table.length <= from) return;
  table.length = from;
  for (const name of names) table.push(name);
}

/** Hands each publication of a batch to `publish`, its subject looked up in the sender's subjects so far (`subjects`, one list per port). */
export function receivePublications(b: Batch, subjects: ReceivedAddresses, publish: (subject: string, json: string) => void): void {
  const { ps, pj } = b;
  if (ps === undefined || pj === undefined) return;
  receiveNames(subjects, b.psFrom ?? 0, b.psNames ?? []);
  for (let i = 0; i < ps.length; i++) publish(subjects[ps[i] as number] as string, pj[i] as string);
}

/** Gathers one kind's codec-borne messages while a batch is packed. */
interface Gathering {
  kind: KindEntry;
  at: number[];
  messages: unknown[];
}

/**
 * @param kinds the addressee kind of each envelope (or undefined): messages
 *   their kind's codec accepts travel in its columns instead of `msg`
 */
export function packEnvelopes(envs: readonly Envelope[], kinds: readonly (KindEntry | undefined)[] = [], addresses = new AddressTable()): PackedEnvelopes {
  const n = envs.length;
  const to = new Uint32Array(n);
  // Holey on purpose: structured clone then copies only the entries present.
  const msg = new Array<unknown>(n);
  const from = new Array<string>(n);
  let plain = 0;
  let sent = 0;
  const meta = new Int32Array(n * 3);
  let gathering: Gathering | undefined;
  let others: Gathering[] | undefined;
  const tableFrom = addresses.begin();
  for (let i = 0; i < n; i++) {
    const env = envs[i] as Envelope;
    to[i] = addresses.indexOf(env.to);
    if (env.from !== undefined) {
      from[i] = env.from;
      sent++;
    }
    meta[i * 3] = env.ask;
    meta[i * 3 + 1] = env.origin;
    meta[i * 3 + 2] = env.credit;
    const kind = kinds[i];
    const codec = kind?.kind.codec;
    if (kind === undefined || codec === undefined || !codec.accepts(env.msg)) {
      msg[i] = env.msg;
      plain++;
      continue;
    }
    // Usually one kind carries the bulk of a batch: keep its gathering at hand.
    let g = gathering;
    if (g === undefined || g.kind !== kind) {
      g = others?.find((o) => o.kind === kind);
      if (g === undefined) {
        g = { kind, at: [], messages: [] };
        (others ??= []).push(g);
      }
      gathering = g;
    }
    g.at.push(i);
    g.messages.push(env.msg);
  }
  const packed: PackedEnvelopes = { to, names: [...addresses.added], tableFrom, meta };
  // Left out when empty: a receiver writing a batch's decoded messages into a fresh array pays a
  // quarter of what it pays writing them into a holey one that came through structured clone.
  if (plain > 0) packed.msg = msg;
  if (sent > 0) packed.from = from;
  if (others !== undefined) {
    packed.coded = others.map((g): CodedMessages => ({ kind: g.kind.name, at: Int32Array.from(g.at), columns: (g.kind.kind.codec as NonNullable<typeof g.kind.kind.codec>).encode(g.messages) }));
  }
  return packed;
}

/**
 * Brings the sender's addresses up to date and puts codec-borne messages
 * back in their places; call once per received batch, in the order the
 * port delivered them, before unpackEnvelope.
 */
export function decodeMessages(p: PackedEnvelopes, kinds: KindRegistry, addresses: ReceivedAddresses): void {
  receiveNames(addresses, p.tableFrom, p.names);
  if (p.coded === undefined) return;
  const msg = (p.msg ??= new Array<unknown>(p.to.length));
  for (const c of p.coded) {
    const codec = kinds.get(c.kind)?.kind.codec;
    if (codec === undefined) throw new Error(`no codec for actor kind "${c.kind}" on this thread`);
    const messages = codec.decode(c.columns);
    for (let j = 0; j < c.at.length; j++) msg[c.at[j] as number] = messages[j];
  }
}

export function unpackEnvelope(p: PackedEnvelopes, i: number, addresses: ReceivedAddresses): Envelope {
  return {
    to: addresses[p.to[i] as number] as string,
    msg: p.msg?.[i],
    from: p.from?.[i],
    ask: p.meta[i * 3] as number,
    origin: p.meta[i * 3 + 1] as number,
    credit: p.meta[i * 3 + 2] as number,
  };
}

export function isDataCloneError(err: unknown): boolean {
  return err instanceof Error && err.name === "DataCloneError";
}
