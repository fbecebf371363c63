/**
 * One live actor inside a shard: its instance, mailbox, status and restart
 * history. Kept small on purpose: a node holds a million of these.
 */
import type { Logger } from "pino";
import type { Actor, ActorContext, AskOptions } from "./actor.js";
import type { ActorAddress } from "./address.js";
import type { TimerHandle } from "./clock.js";
import type { Envelope } from "./envelope.js";
import type { KindEntry } from "./kind-registry.js";
import { Mailbox } from "./mailbox.js";
import { WaitingByKey } from "./coalescing.js";
import type { RestartHistory } from "./supervision.js";

export const ActivationStatus = {
  /** No message being handled, not in the ready queue. */
  Idle: 0,
  /** In the shard's ready queue. */
  Scheduled: 1,
  /** Handling a message (synchronously, or awaiting an async receive/hook). */
  Busy: 2,
  /** Waiting out a restart backoff; messages queue up. */
  Restarting: 3,
  /** Being passivated or stopped. */
  Leaving: 4,
} as const;
export type ActivationStatus = (typeof ActivationStatus)[keyof typeof ActivationStatus];

/** The narrow side of a shard that an actor's context talks to. */
export interface ContextHost {
  now(): number;
  tellFrom(from: ActorAddress, to: ActorAddress, message: unknown): boolean;
  askFrom<R>(from: ActorAddress, to: ActorAddress, message: unknown, options?: AskOptions): Promise<R>;
  markDirty(activation: Activation): void;
  publish(subject: string, payload: unknown): void;
  publishJson(subject: string, json: string): void;
  schedule(activation: Activation, delayMs: number, message: unknown): TimerHandle;
  holdCredit(activation: Activation): boolean;
  releaseCredits(n: number): void;
}

export class Activation implements ActorContext {
  actor: Actor | null = null;
  status: ActivationStatus = ActivationStatus.Idle;
  lastActive = 0;
  dirty = false;
  history: RestartHistory | null = null;
  sender: ActorAddress | undefined = undefined;
  readonly mailbox: Mailbox<Envelope>;
  /** The mailbox's messages by key, when the kind coalesces them (ActorKind.coalesce); null for every other kind. */
  readonly waitingByKey: WaitingByKey | null;
  private childLog: Logger | null = null;

  constructor(
    readonly self: ActorAddress,
    readonly id: string,
    readonly entry: KindEntry,
    private readonly host: ContextHost,
    private readonly baseLog: Logger,
  ) {
    this.mailbox = new Mailbox(entry.mailbox.capacity);
    const coalesce = entry.kind.coalesce;
    this.waitingByKey = coalesce === undefined ? null : new WaitingByKey(coalesce);
  }

  // ActorContext — the activation is its own context, saving an object per actor.
  get log(): Logger {
    // Created on first use: a pino child per idle actor would cost more than the actor.
    return (this.childLog ??= this.baseLog.child({ actor: this.self }));
  }

  now(): number {
    return this.host.now();
  }

  tell(to: ActorAddress, message: unknown): boolean {
    return this.host.tellFrom(this.self, to, message);
  }

  ask<R = unknown>(to: ActorAddress, message: unknown, options?: AskOptions): Promise<R> {
    return this.host.askFrom<R>(this.self, to, message, options);
  }

  markDirty(): void {
    this.host.markDirty(this);
  }

  publish(subject: string, payload: unknown): void {
    this.host.publish(subject, payload);
  }

  publishJson(subject: string, json: string): void {
    this.host.publishJson(subject, json);
  }

  schedule(delayMs: number, message: unknown): TimerHandle {
    return this.host.schedule(this, delayMs, message);
  }

  holdCredit(): boolean {
    return this.host.holdCredit(this);
  }

  releaseCredits(n: number): void {
    this.host.releaseCredits(n);
  }

  /** Timers set through `schedule`, created on first use; cancelled when the actor leaves. */
  timers: Set<TimerHandle> | null = null;
}
