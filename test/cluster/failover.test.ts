/**
 * A node killed under load (kill -9): its partitions' leases expire, the
 * survivors take them over from their last snapshots and replay the stream,
 * and every reading accepted before and after appears in the output exactly
 * once. Real processes: a three-server NATS cluster and three Vigil nodes
 * on loopback (deploy/local-cluster).
 */
import { describe, expect, it } from "vitest";
import { expectExactlyOnce, useLocalCluster } from "./cluster-spec.js";
import { publishReadings } from "./readings.js";

const cluster = useLocalCluster(3);

describe("failover", () => {
  it("resumes a killed node's partitions on the survivors with every accepted reading output exactly once", async () => {
    const urls = cluster().nats.urls;
    const load = await publishReadings(urls, { units: 12, sensors: 3, perSecond: 300 });
    await expect.poll(() => load.accepted(), { timeout: 30_000 }).toBeGreaterThan(1_000);
    const victim = cluster().nodes[0];
    await victim?.kill();
    // Load goes on through the takeover.
    const acceptedAtKill = load.accepted();
    await expect.poll(() => load.accepted(), { timeout: 30_000 }).toBeGreaterThan(acceptedAtKill + 1_500);
    const outputs = await expectExactlyOnce(urls, load);
    // The victim's partitions now produce on the survivors.
    const victimPartitions = new Set(outputs.filter((o) => o.node === victim?.id).map((o) => o.partition));
    expect(victimPartitions.size).toBeGreaterThan(0);
    const lastOwner = new Map<number, string>();
    for (const o of outputs) lastOwner.set(o.partition, o.node);
    for (const p of victimPartitions) expect(lastOwner.get(p)).not.toBe(victim?.id);
  }, 120_000);
});
