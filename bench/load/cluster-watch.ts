/**
 * What the cluster bench sees of a running cluster, without reading any
 * node's log: the members and partition leases as the key-value buckets
 * hold them (watched, so every change is timed when it arrives), and, for
 * one sentinel unit per partition, which node (and lease epoch) processed
 * its readings and when (`processedAt`, the node's clock — the same machine's).
 *
 * A partition is "processing" on a node from the first processed reading
 * that node publishes for it: a takeover's replay counts, since replaying is
 * the new owner at work. Core subscriptions see every publish, the ones the
 * output stream drops as duplicates of a replay included.
 */
import { jetstream } from "@nats-io/jetstream";
import { Kvm, type KvWatchEntry } from "@nats-io/kv";
import type { NatsConnection, QueuedIterator, Subscription } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { CLUSTER_NAMES, partitionLeases } from "../../src/runtime/cluster/index.js";

export interface Tenure {
  readonly node: string;
  readonly epoch: number;
  /** The first reading this tenure processed (the node's `processedAt`, epoch ms). */
  readonly firstProcessedAt: number;
}

export interface ClusterWatch {
  /** Live members (keys in the members bucket). */
  members(): string[];
  /** When (Date.now() at arrival) a member's key first appeared, if it has. */
  joinedAt(node: string): number | undefined;
  /** The node holding a partition's lease, or undefined while it is free. */
  holder(partition: number): string | undefined;
  /** Partitions whose lease `node` holds. */
  heldBy(node: string): number[];
  /** When the lease of `partition` was first taken, at or after `since`, by a node `by` accepts (Date.now() at arrival of the PUT by a new holder). */
  takenAt(partition: number, since: number, by: (node: string) => boolean): number | undefined;
  /** Every tenure seen processing the partition's sentinel, in order of arrival. */
  tenures(partition: number): readonly Tenure[];
  /** When the first tenure on a node `on` accepts processed its first reading, among those that began at or after `since`. */
  resumedAt(partition: number, since: number, on: (node: string) => boolean): number | undefined;
  close(): Promise<void>;
}

/** `sentinels`: [p, unit] pairs, units whose readings land in partition p (fed by the bench's loads). */
export async function watchCluster(urls: string[], partitions: number, sentinels: Iterable<readonly [number, string]>): Promise<ClusterWatch> {
  const nc: NatsConnection = await connect({ servers: urls, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
  const kvm = new Kvm(jetstream(nc));
  const space = partitionLeases(partitions);
  const live = new Map<string, number>();
  const joined = new Map<string, number>();
  const holders = new Map<number, { node: string; at: number }>();
  const takes = new Map<number, { node: string; at: number }[]>();
  const seen = new Map<number, Tenure[]>();

  const follow = async (iter: QueuedIterator<KvWatchEntry>, on: (e: KvWatchEntry) => void): Promise<void> => {
    for await (const e of iter) on(e);
  };
  const members = await (await kvm.open(CLUSTER_NAMES.members)).watch();
  const leases = await (await kvm.open(CLUSTER_NAMES.leases)).watch();
  const following = [
    follow(members, (e) => {
      if (e.operation === "PUT") {
        if (!live.has(e.key)) live.set(e.key, Date.now());
        if (!joined.has(e.key)) joined.set(e.key, Date.now());
      } else {
        live.delete(e.key);
      }
    }),
    follow(leases, (e) => {
      const p = space.index(e.key);
      if (p === undefined) return;
      if (e.operation !== "PUT") {
        holders.delete(p);
        return;
      }
      const node = e.json<{ node: string }>().node;
      // A renewal keeps the holder and its time; a new holder is a take.
      if (holders.get(p)?.node !== node) {
        const take = { node, at: Date.now() };
        holders.set(p, take);
        takes.set(p, [...(takes.get(p) ?? []), take]);
      }
    }),
  ];

  const subs: Subscription[] = [];
  for (const [p, unit] of sentinels) {
    subs.push(
      nc.subscribe(`vigil.processed.${unit}.*`, {
        callback: (err, m) => {
          if (err !== null) return;
          const o = m.json<{ node: string; epoch: number; processedAt: number }>();
          const list = seen.get(p) ?? [];
          const last = list.at(-1);
          if (last === undefined || last.node !== o.node || last.epoch !== o.epoch) {
            list.push({ node: o.node, epoch: o.epoch, firstProcessedAt: o.processedAt });
            seen.set(p, list);
          }
        },
      }),
    );
  }
  await nc.flush();

  return {
    members: () => [...live.keys()].sort(),
    joinedAt: (node) => joined.get(node),
    holder: (p) => holders.get(p)?.node,
    heldBy: (node) => [...holders].filter(([, h]) => h.node === node).map(([p]) => p),
    takenAt: (p, since, by) => (takes.get(p) ?? []).find((t) => t.at >= since && by(t.node))?.at,
    tenures: (p) => seen.get(p) ?? [],
    resumedAt: (p, since, on) => (seen.get(p) ?? []).find((t) => on(t.node) && t.firstProcessedAt >= since)?.firstProcessedAt,
    async close() {
      for (const s of subs) s.unsubscribe();
      members.stop();
      leases.stop();
      await Promise.all(following);
      await nc.close();
    },
  };
}
