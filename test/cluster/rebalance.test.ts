/**
 * Graceful join and leave under load: a joining node takes over its share
 * (the old owners snapshot and hand off), a leaving node hands all of its
 * partitions off before it exits, and no reading is lost or output twice.
 */
import { describe, expect, it } from "vitest";
import { expectExactlyOnce, useLocalCluster } from "./cluster-spec.js";
import { publishReadings } from "./readings.js";

const cluster = useLocalCluster(2);

describe("rebalancing", () => {
  it("moves partitions to a joining node and off a leaving one with no reading lost or duplicated", async () => {
    const urls = cluster().nats.urls;
    const load = await publishReadings(urls, { units: 12, sensors: 3, perSecond: 300 });
    await expect.poll(() => load.accepted(), { timeout: 30_000 }).toBeGreaterThan(1_000);
    const joiner = await cluster().addNode();
    await expect.poll(async () => (await joiner.log()).filter((l) => l.msg === "partition taken").length, { timeout: 30_000 }).toBeGreaterThan(0);
    const leaver = cluster().nodes[0];
    await leaver?.stop();
    const handedOff = (await leaver?.log())?.filter((l) => l.msg === "partition handed off").length ?? 0;
    expect(handedOff).toBeGreaterThan(0);
    const acceptedAtLeave = load.accepted();
    await expect.poll(() => load.accepted(), { timeout: 30_000 }).toBeGreaterThan(acceptedAtLeave + 1_000);
    const outputs = await expectExactlyOnce(urls, load);
    expect(outputs.some((o) => o.node === joiner.id)).toBe(true);
  }, 120_000);
});
