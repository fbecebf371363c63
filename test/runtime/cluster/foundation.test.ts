/**
 * The cluster's foundation against a real three-server NATS cluster: the
 * server's partition mapping and the runtime's hash agree, the partition
 * count is fixed for the life of the cluster, a lease has one holder at a
 * time and its expiry tells the others, and members see each other come and go.
 */
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_CLUSTER, ensureClusterStreams, LeaseTable, ownerOf, partitionLayout, partitionOfKey, partitionsOf, type ClusterOptions } from "../../../src/runtime/cluster/index.js";
import { Membership } from "../../../src/runtime/cluster/membership.js";
import { isVigilError } from "../../../src/runtime/index.js";
import { startNatsCluster, stopAllServers, type NatsCluster } from "../../harness/servers.js";

const log = pino({ level: "silent" });
let cluster: NatsCluster;
const connections: NatsConnection[] = [];

async function client(i = 0): Promise<NatsConnection> {
  const nc = await connect({ servers: cluster.urls[i % cluster.urls.length] });
  connections.push(nc);
  return nc;
}

function options(nodeId: string, partitions = 8, extra: Partial<ClusterOptions> = {}): ClusterOptions {
  return { ...DEFAULT_CLUSTER, nodeId, partitions, replicas: 3, leaseTtlMs: 2_000, memberTtlMs: 2_000, heartbeatMs: 500, ...extra };
}

beforeAll(async () => {
  cluster = await startNatsCluster(3);
}, 120_000);

afterAll(async () => {
  await Promise.all(connections.map((nc) => nc.close()));
  await stopAllServers();
});

describe("partitioned ingest", () => {
  it("stores every reading under the partition the runtime computes for its unit", async () => {
    const nc = await client();
    const jsm = await jetstreamManager(nc);
    const layout = partitionLayout(16, "HASH_CHECK");
    await ensureClusterStreams(jsm, layout, options("n1", 16), ["hashcheck.out.>"]);
    const js = jetstream(nc);
    const units = Array.from({ length: 200 }, (_, i) => `UNIT${String(i).padStart(3, "0")}`).concat(["pump-7", "Ü-süd", "a"]);
    for (const unit of units) await js.publish(`vigil.ingest.reading.${unit}.temperature`, "1");
    const seen = new Map<string, number>();
    for (let seq = 1; seq <= units.length; seq++) {
      const m = await jsm.streams.getMessage(layout.stream, { seq });
      const [, , p, unit] = (m?.subject ?? "").split(".");
      seen.set(unit as string, Number(p));
    }
    for (const unit of units) expect(seen.get(unit), unit).toBe(partitionOfKey(layout, unit));
    await jsm.streams.delete(layout.stream); // the ingest subjects are free for the next stream
  });

  it("refuses a member configured with another partition count", async () => {
    const jsm = await jetstreamManager(await client(1));
    const layout = partitionLayout(8, "COUNT_CHECK");
    await ensureClusterStreams(jsm, layout, options("n1", 8), ["countcheck.a.>"]);
    const other = partitionLayout(16, "COUNT_CHECK");
    const refused = await ensureClusterStreams(jsm, other, options("n2", 16), ["countcheck.b.>"]).catch((err: unknown) => err);
    expect(isVigilError(refused, "VIGIL_CLUSTER_PARTITIONS_MISMATCH")).toBe(true);
  });
});

describe("partition leases", () => {
  it("have one holder at a time; when the holder stops renewing, the expiry tells the other at once and its epoch is higher", async () => {
    const freed: number[] = [];
    const fenced: number[] = [];
    const a = await LeaseTable.open(jetstream(await client(0)), options("a"), { fence: (p) => fenced.push(p), freed: () => undefined }, log);
    const b = await LeaseTable.open(jetstream(await client(2)), options("b"), { fence: () => undefined, freed: (p) => freed.push(p) }, log);
    const first = await a.acquire(3);
    expect(first).toBeDefined();
    expect(await b.acquire(3)).toBeUndefined();
    // a's renewals keep it: b still cannot take it two lease lifetimes later.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    expect(await b.acquire(3)).toBeUndefined();
    await a.close(); // stops renewing without releasing: a crash, as far as the lease is concerned
    await expect.poll(() => freed.includes(3), { timeout: 10_000 }).toBe(true);
    const second = await b.acquire(3);
    expect(second?.epoch).toBeGreaterThan(first?.epoch ?? Infinity);
    await b.close();
  });

  it("fence their holder when renewals fail, before the lease can expire on the server", async () => {
    const nc = await client(1);
    const fences: { partition: number; at: number }[] = [];
    const a = await LeaseTable.open(jetstream(nc), options("cut"), { fence: (partition) => fences.push({ partition, at: Date.now() }), freed: () => undefined }, log);
    const b = await LeaseTable.open(jetstream(await client(2)), options("other"), { fence: () => undefined, freed: () => undefined }, log);
    expect(await a.acquire(5)).toBeDefined();
    await nc.close(); // renewals can no longer reach the server
    let takenAt = 0;
    await expect
      .poll(
        async () => {
          if ((await b.acquire(5)) !== undefined) takenAt = Date.now();
          return takenAt > 0;
        },
        { timeout: 15_000, interval: 100 },
      )
      .toBe(true);
    expect(fences.map((f) => f.partition)).toEqual([5]);
    expect(fences[0]?.at).toBeLessThan(takenAt);
    await a.close();
    await b.close();
  });
});

describe("membership", () => {
  it("shows members joining and leaving to each other", async () => {
    const one = await Membership.join(jetstream(await client(0)), options("m1"), log);
    const two = await Membership.join(jetstream(await client(1)), options("m2"), log);
    await expect.poll(() => one.members(), { timeout: 10_000 }).toEqual(["m1", "m2"]);
    await two.leave();
    await two.close();
    await expect.poll(() => one.members(), { timeout: 10_000 }).toEqual(["m1"]);
    await one.leave();
    await one.close();
  });
});

describe("rendezvous ownership", () => {
  it("spreads partitions over the members and moves only the joiner's share when one joins", () => {
    const before = ["n1", "n2"];
    const after = ["n1", "n2", "n3"];
    const counts = after.map((m) => partitionsOf(m, after, 64).length);
    for (const c of counts) expect(c).toBeGreaterThan(10);
    let moved = 0;
    for (let p = 0; p < 64; p++) {
      const was = ownerOf(p, before);
      const is = ownerOf(p, after);
      if (was !== is) {
        moved++;
        expect(is).toBe("n3");
      }
    }
    expect(moved).toBe(counts[2]);
  });
});
