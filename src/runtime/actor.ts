/**
 * The actor contract: what an actor kind declares and what an actor sees.
 * Everything here is public API; the machinery that runs actors (shard,
 * mailbox, supervisor, workers) stays internal.
 */
import type { Logger } from "pino";
import type { ActorAddress } from "./address.js";
import type { TimerHandle } from "./clock.js";
import type { MailboxPolicy } from "./mailbox.js";
import type { SupervisionPolicy } from "./supervision.js";

export interface AskOptions {
  /** @default the system's askTimeoutMs (5 s) */
  timeoutMs?: number;
}

/** What an actor can do while handling a message. A narrow reference, never the shard itself. */
export interface ActorContext {
  readonly self: ActorAddress;
  /** The address of the actor that sent the current message, when an actor sent it. */
  readonly sender: ActorAddress | undefined;
  readonly log: Logger;
  now(): number;
  /**
   * Fire-and-forget. Returns false when the destination refuses under
   * backpressure: the message was not enqueued and the caller still owns it.
   */
  tell(to: ActorAddress, message: unknown): boolean;
  /** Request/reply: resolves with the value the destination's receive returns. */
  ask<R = unknown>(to: ActorAddress, message: unknown, options?: AskOptions): Promise<R>;
  /** Mark state as changed so the next checkpoint snapshots it (receive does this implicitly). */
  markDirty(): void;
  /**
   * Publish to the node's outlet (its transport): processed readings, alarms,
   * status. The payload must be JSON-serialisable; it is encoded off the
   * caller's thread budget in batches.
   */
  publish(subject: string, payload: unknown): void;
  /** Publish a payload the actor has already encoded as JSON (hot paths with a fast encoder). */
  publishJson(subject: string, json: string): void;
  /**
   * Deliver `message` to this actor after `delayMs`, as if sent by itself.
   * Cancelled when the actor is passivated or stopped.
   */
  schedule(delayMs: number, message: unknown): TimerHandle;
  /**
   * Keep the in-flight credit of the message being handled (a message sent
   * under its worker's in-flight budget) past the end of its handling, until
   * `releaseCredits`: for an actor that finishes a message later than
   * `receive` returns — a reading published once its model's score is back —
   * so that what holds senders back is work not yet done, not only messages
   * not yet handled, and the work waiting between the two stays bounded by
   * the budget. True when the message carried such a credit and it is now
   * held; false (nothing held, nothing to release) otherwise. Call it during
   * `receive` only.
   */
  holdCredit(): boolean;
  /** Give back `n` credits taken with `holdCredit`, by this incarnation. */
  releaseCredits(n: number): void;
}

/**
 * One actor instance. `receive` handles one message at a time, in order; its
 * return value (or resolved value) is the reply when the message was an ask.
 */
export interface Actor<M = unknown, S = unknown> {
  receive(message: M, context: ActorContext): unknown;
  /** After creation and restore, before the first message. */
  onActivate?(context: ActorContext): void | Promise<void>;
  /** Before the actor is passivated or stopped; its snapshot is taken right after. */
  onDeactivate?(context: ActorContext): void | Promise<void>;
  /**
   * After a turn: the messages the runtime handed this actor in a row (up to
   * a fairness batch) were all handled synchronously. For work that needs
   * doing once for all of them rather than after each — a unit re-assessing
   * itself after several sensor updates that queued up together. Not called
   * after a turn that ended in a failure, an asynchronous reply or a state
   * transfer. A throw fails the actor like a throw from receive.
   */
  onTurnEnd?(context: ActorContext): void;
  /** Plain, structured-cloneable state. Taken at checkpoints and on passivation. */
  snapshot?(): S;
  restore?(state: S): void;
  /**
   * Optional, with applyChange: what changed since the last snapshot or
   * change the runtime took (or since restore), when that is much smaller
   * than the whole state — say, the samples appended to a long window. The
   * runtime keeps the changes after the last full snapshot and, on restore,
   * hands them to applyChange in order after restore(state). Return
   * undefined to have a full snapshot taken instead. Structured-cloneable.
   */
  snapshotChange?(): unknown;
  applyChange?(change: unknown): void;
}

export interface PassivationPolicy {
  /** Passivate after this long without a message. `0` never passivates. */
  idleMs: number;
}

/** Sent to a parent when a child escalates a failure (supervision `escalate`). */
export interface ChildFailed {
  readonly $vigil: "child-failed";
  readonly child: ActorAddress;
  readonly error: { name: string; message: string; code?: string };
  readonly restarts: number;
}

export function isChildFailed(message: unknown): message is ChildFailed {
  return typeof message === "object" && message !== null && (message as { $vigil?: unknown }).$vigil === "child-failed";
}

export interface ActorKind<M = unknown, S = unknown> {
  readonly name: string;
  create(id: string): Actor<M, S>;
  /**
   * Actors with the same partition key live on the same shard worker.
   * @default the first `/`-separated segment of the id (`UNIT001` for `UNIT001/temperature`)
   */
  partitionKey?(id: string): string;
  /** The actor a failure escalates to. Without one, escalation stops the actor and reports to the system. */
  parent?(id: string): ActorAddress | undefined;
  supervision?: SupervisionPolicy;
  mailbox?: Partial<MailboxPolicy>;
  passivation?: PassivationPolicy;
  /**
   * After its worker crashed: whether an actor restored from `latest` (its
   * last snapshot, or the last change taken on top of it) has work of its
   * own to finish — say, output it owed when the worker died — so the new
   * worker activates it at once instead of on its next message.
   * @default never
   */
  activateAfterCrash?(latest: unknown): boolean;
  /** How the kind's most frequent messages cross threads in bulk; others are cloned as they are. */
  codec?: MessageCodec<M>;
  /** Messages of which only the newest of a key matters while they wait: merged in the mailbox instead of queued. */
  coalesce?: Coalescing<M>;
}

/**
 * Latest-wins messages: a tell that has a key, sent while another with the
 * same key waits in the actor's mailbox (not yet handed to the actor), is
 * merged into that one, which keeps its place in the mailbox; it is not
 * queued, so it is never refused and never drops another. For a receiver
 * that only needs the latest state of each of many senders — and would
 * otherwise fall behind them all, each message queued behind the stale ones
 * before it (a unit and its sensors' updates). Counted per kind
 * (`coalesced`).
 *
 * Only tells sent on the receiver's own thread are merged: an ask needs its
 * own reply, and a message from another thread is accounted for on its own
 * (settled, its credit released) as it leaves. Every other message is queued
 * as always; the mailbox of a kind without `coalesce` never merges.
 */
export interface Coalescing<M = unknown> {
  /**
   * The key `message` merges under; undefined for one that is always queued
   * (any message the kind may get: not only M). An actor remembers the keys
   * it has seen while it is active: they should be few, like its senders.
   */
  key(message: unknown): string | undefined;
  /**
   * One message, of the same key, that leaves the actor as handling `queued`
   * and then `next` would have; it may be either of them, changed. Neither is
   * read again. It keeps `queued`'s place: a message queued between the two
   * is handled after it.
   */
  merge(queued: M, next: M): M;
}

/**
 * Columns for many messages of one shape. Structured clone copies an object
 * key by key and string by string, which is most of what sending a message
 * to another thread costs; a typed array or an array of strings goes as a
 * block. A codec must give back messages equal to what it took.
 */
export interface MessageCodec<M = unknown> {
  /** Whether this message goes in columns (say, a reading but not a query). */
  accepts(message: unknown): message is M;
  /** Structured-cloneable columns for the messages, in order. */
  encode(messages: readonly M[]): unknown;
  /** The messages back from `encode`'s columns, in order. */
  decode(columns: unknown): M[];
}

/** Identity helper that keeps the message and state types attached to a kind definition. */
export function defineActorKind<M, S = unknown>(kind: ActorKind<M, S>): ActorKind<M, S> {
  return kind;
}

export function defaultPartitionKey(id: string): string {
  const slash = id.indexOf("/");
  return slash < 0 ? id : id.slice(0, slash);
}
