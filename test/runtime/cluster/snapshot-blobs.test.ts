/**
 * Snapshot blobs against a real nats-server: a snapshot too big for a key
 * goes to the object store, and the chain's old blobs are deleted as new
 * snapshots are written, so the store holds a bounded number per partition
 * however long the partition runs; a takeover sweeps what a crashed writer
 * left behind.
 */
import { jetstream } from "@nats-io/jetstream";
import { Objm } from "@nats-io/obj";
import { connect } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLUSTER_NAMES, DEFAULT_CLUSTER, SnapshotStore, type PartitionSnapshot } from "../../../src/runtime/cluster/index.js";
import { KEPT_BLOBS } from "../../../src/runtime/cluster/snapshot-store.js";
import { startNats, stopAllServers, type ServerHandle } from "../../harness/servers.js";

let nats: ServerHandle;
let nc: NatsConnection;

beforeAll(async () => {
  nats = await startNats();
  nc = await connect({ servers: nats.url });
}, 60_000);

afterAll(async () => {
  await nc.close();
  await stopAllServers();
});

/** A snapshot whose one actor's state (half a MiB) is too big to be stored inline. */
function bigSnapshot(partition: number, seq: number): PartitionSnapshot {
  const window = new Float64Array(64 * 1024).fill(seq);
  return { partition, seq, covered: seq, node: "n1", epoch: 7, takenAt: Date.now(), actors: [[`sensor/U${partition}/t`, { window }]] };
}

const options = { ...DEFAULT_CLUSTER, nodeId: "n1" };

describe("snapshot blobs", () => {
  it("keeps a bounded number of blobs per partition however many snapshots are written", async () => {
    const store = await SnapshotStore.open(jetstream(nc), options);
    let revision = (await store.load(1)).revision;
    for (let seq = 1; seq <= 12; seq++) revision = await store.save(bigSnapshot(1, seq), revision);
    const names = await store.blobNames(1);
    expect(names.length).toBeLessThanOrEqual(KEPT_BLOBS);
    const loaded = await store.load(1);
    expect(loaded.snapshot?.seq).toBe(12);
    expect((loaded.snapshot?.actors[0]?.[1] as { window: Float64Array }).window[0]).toBe(12);
  });

  it("deletes the blobs of a chain that went back to small inline snapshots", async () => {
    const store = await SnapshotStore.open(jetstream(nc), options);
    let revision = (await store.load(2)).revision;
    for (let seq = 1; seq <= 3; seq++) revision = await store.save(bigSnapshot(2, seq), revision);
    for (let seq = 4; seq <= 3 + KEPT_BLOBS; seq++) revision = await store.save({ ...bigSnapshot(2, seq), actors: [] }, revision);
    expect(await store.blobNames(2)).toEqual([]);
  });

  it("sweeps a blob no record names (a writer that crashed before its record) when the partition is taken over", async () => {
    const writer = await SnapshotStore.open(jetstream(nc), options);
    const revision = await writer.save(bigSnapshot(3, 1), (await writer.load(3)).revision);
    const blobs = await new Objm(jetstream(nc)).open(CLUSTER_NAMES.snapshotBlobs);
    await blobs.putBlob({ name: "p3-7-2-999" }, new Uint8Array(1024));
    expect(await writer.blobNames(3)).toHaveLength(2);
    const next = await SnapshotStore.open(jetstream(nc), { ...options, nodeId: "n2" });
    const taken = await next.load(3);
    expect(taken.revision).toBe(revision);
    expect(taken.snapshot?.seq).toBe(1);
    expect(await next.blobNames(3)).toHaveLength(1);
  });
});
