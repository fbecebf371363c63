/**
 * Who is in the cluster: each member puts its key in a key-value bucket
 * every heartbeat; keys live `memberTtlMs` (the bucket's max age), and the
 * server's limit markers tell every watcher the moment one expires. A member
 * leaving gracefully deletes its key. The live set is what the watch has
 * seen put and not yet deleted, purged or expired.
 */
import type { JetStreamClient } from "@nats-io/jetstream";
import { Kvm, type KV, type KvWatchEntry } from "@nats-io/kv";
import type { QueuedIterator } from "@nats-io/nats-core";
import type { Logger } from "pino";
import { CLUSTER_NAMES, type ClusterOptions } from "./options.js";

/** Limit markers may not live less than a second (the server's floor). */
const MIN_MARKER_TTL_MS = 1_000;

export interface MemberInfo {
  readonly node: string;
  readonly startedAt: number;
}

export class Membership {
  private readonly live = new Map<string, MemberInfo>();
  private readonly listeners = new Set<(members: readonly string[]) => void>();
  private timer: NodeJS.Timeout | undefined;
  private watch: QueuedIterator<KvWatchEntry> | undefined;
  private watching: Promise<void> | undefined;
  private readonly self: MemberInfo;

  private constructor(
    private readonly kv: KV,
    private readonly options: ClusterOptions,
    private readonly log: Logger,
  ) {
    this.self = { node: options.nodeId, startedAt: Date.now() };
  }

  static async join(js: JetStreamClient, options: ClusterOptions, log: Logger): Promise<Membership> {
    const kv = await openTtlBucket(js, CLUSTER_NAMES.members, options.memberTtlMs, options.replicas);
    const membership = new Membership(kv, options, log);
    await membership.start();
    return membership;
  }

  /** Live members, sorted, this one included while it is a member. */
  members(): string[] {
    return [...this.live.keys()].sort();
  }

  onChange(listener: (members: readonly string[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async start(): Promise<void> {
    await this.beat();
    this.watch = await this.kv.watch();
    this.watching = this.follow(this.watch);
    this.timer = setInterval(() => void this.beat(), this.options.heartbeatMs);
  }

  private async beat(): Promise<void> {
    try {
      await this.kv.put(this.self.node, JSON.stringify(this.self));
    } catch (err) {
      this.log.warn({ err }, "cluster heartbeat failed");
    }
  }

  private async follow(watch: QueuedIterator<KvWatchEntry>): Promise<void> {
    for await (const e of watch) {
      const before = this.live.size;
      const had = this.live.has(e.key);
      if (e.operation === "PUT") {
        if (!had) this.live.set(e.key, parseMember(e));
      } else {
        this.live.delete(e.key);
      }
      if (this.live.has(e.key) !== had || this.live.size !== before) {
        this.log.info({ member: e.key, joined: !had, members: this.members() }, had ? "cluster member left" : "cluster member joined");
        const members = this.members();
        for (const listener of this.listeners) listener(members);
      }
    }
  }

  /** Stop beating and delete this member's key: the others rebalance at once. */
  async leave(): Promise<void> {
    clearInterval(this.timer);
    try {
      await this.kv.delete(this.self.node);
    } catch (err) {
      this.log.warn({ err }, "could not delete this member's key; it expires on its own");
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.watch?.stop();
    await this.watching;
  }
}

function parseMember(e: KvWatchEntry): MemberInfo {
  try {
    return e.json<MemberInfo>();
  } catch {
    return { node: e.key, startedAt: 0 };
  }
}

/** A bucket whose keys expire after `ttlMs` with a limit marker, one value per key. */
export async function openTtlBucket(js: JetStreamClient, name: string, ttlMs: number, replicas: number): Promise<KV> {
  return new Kvm(js).create(name, { ttl: ttlMs, markerTTL: Math.max(MIN_MARKER_TTL_MS, ttlMs), history: 1, replicas });
}
