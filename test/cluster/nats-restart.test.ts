/**
 * One server of the three-server NATS cluster restarted under load: the
 * streams and buckets (three replicas) stay available through the other
 * two, the nodes reconnect, and no accepted reading is lost or output twice.
 */
import { describe, expect, it } from "vitest";
import { expectExactlyOnce, useLocalCluster } from "./cluster-spec.js";
import { publishReadings } from "./readings.js";

const cluster = useLocalCluster(3);

describe("a NATS server restart", () => {
  it("loses no accepted reading", async () => {
    const urls = cluster().nats.urls;
    const load = await publishReadings(urls, { units: 12, sensors: 3, perSecond: 300 });
    await expect.poll(() => load.accepted(), { timeout: 30_000 }).toBeGreaterThan(1_000);
    await cluster().nats.servers[1]?.restart();
    await cluster().nats.ready();
    const acceptedAfter = load.accepted();
    await expect.poll(() => load.accepted(), { timeout: 30_000 }).toBeGreaterThan(acceptedAfter + 1_000);
    await expectExactlyOnce(urls, load);
  }, 120_000);
});
