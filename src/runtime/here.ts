/**
 * Actors hosted on the calling thread beside the shard workers
 * (ActorSystem.hostHere): kinds whose work is this thread's own resources
 * — a database client, a job pool, a service — and mostly waiting on
 * them, so they need no worker of their own and could not move into one
 * (their code holds what cannot cross a thread). They get what every
 * actor gets: an address, a mailbox handled one message at a time, their
 * kind's supervision and a restart from their last snapshot.
 *
 * Only this thread reaches them: actors on the workers do not know their
 * kinds. What they send to worker actors goes through the pool like any
 * message from this thread (without its sender's address).
 */
import type { Logger } from "pino";
import type { ActorKind, AskOptions } from "./actor.js";
import { kindOf, type ActorAddress } from "./address.js";
import { systemClock } from "./clock.js";
import { MAIN_ENDPOINT } from "./envelope.js";
import { serializeError } from "./errors.js";
import type { RuntimeEvent } from "./events.js";
import type { KindRegistry } from "./kind-registry.js";
import { Shard, type ShardStats } from "./shard.js";
import type { ShardSettings } from "./workers/settings.js";
import type { WorkerPool } from "./workers/worker-pool.js";

export interface CallingThreadOptions {
  /** The system's registry: kinds hosted here are added to it, so its stats count them. */
  kinds: KindRegistry;
  pool: WorkerPool;
  settings: ShardSettings;
  log: Logger;
  emit(event: RuntimeEvent): void;
  outlet(subject: string, json: string): void;
}

export class CallingThreadActors {
  private readonly names = new Set<string>();
  private shard: Shard | undefined;

  constructor(private readonly o: CallingThreadOptions) {}

  add(kinds: readonly ActorKind[]): void {
    for (const kind of kinds) {
      this.o.kinds.add(kind);
      this.names.add(kind.name);
    }
  }

  hosts(address: ActorAddress): boolean {
    return this.names.size > 0 && this.names.has(kindOf(address));
  }

  tell(to: ActorAddress, message: unknown): boolean {
    return this.here().tellFrom(undefined, to, message);
  }

  ask<R>(to: ActorAddress, message: unknown, options: AskOptions): Promise<R> {
    return this.here().askFrom<R>(undefined, to, message, options);
  }

  stats(): ShardStats | undefined {
    return this.shard?.stats();
  }

  async stop(): Promise<void> {
    await this.shard?.stop();
  }

  private here(): Shard {
    if (this.shard !== undefined) return this.shard;
    const { pool, settings } = this.o;
    const shard: Shard = new Shard({
      index: MAIN_ENDPOINT,
      kinds: this.o.kinds,
      clock: systemClock,
      log: this.o.log,
      askTimeoutMs: settings.askTimeoutMs,
      // A snapshot after every message: few actors, few messages, and a restart must come back to the latest state.
      snapshotIntervalMs: 0,
      passivationSweepMs: settings.passivationSweepMs,
      links: {
        placement: (address) => (this.hosts(address) ? MAIN_ENDPOINT : pool.placement(address)),
        forward: (_worker, env) => {
          if (env.ask === 0) return pool.tell(env.to, env.msg);
          // The pool keeps its own ask for it; its answer settles this shard's.
          pool.ask(env.to, env.msg, settings.askTimeoutMs).then(
            (value) => shard.settleReply({ ask: env.ask, origin: env.origin, ok: true, value, error: undefined }),
            (err: unknown) => shard.settleReply({ ask: env.ask, origin: env.origin, ok: false, value: undefined, error: serializeError(err) }),
          );
          return true;
        },
        reply: () => undefined, // every ask to these actors starts on this thread
        publish: (subject, json) => this.o.outlet(subject, json),
        settled: () => undefined,
        releaseCredit: () => undefined,
        event: (event) => this.o.emit(event),
      },
    });
    this.shard = shard;
    return shard;
  }
}
