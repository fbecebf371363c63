/**
 * A node cut off from NATS (its connections dropped and refused by the
 * proxies between it and the servers) stops processing its partitions
 * before anyone else takes them. Every processed reading carries its
 * owner's lease epoch, and every tenure's span of processing times is
 * logged when it ends (plus any output processed after its end): for each
 * partition, the tenures, in epoch order, never overlap in time. And no
 * accepted reading is lost or output twice.
 */
import { afterAll, describe, expect, it } from "vitest";
import type { LogLine } from "../../deploy/local-cluster/launcher.js";
import { startTcpProxy, type TcpProxy } from "../harness/servers.js";
import { expectExactlyOnce, useLocalCluster } from "./cluster-spec.js";
import { publishReadings } from "./readings.js";

const cluster = useLocalCluster(2);
const proxies: TcpProxy[] = [];

afterAll(async () => {
  await Promise.all(proxies.map((p) => p.close()));
});

interface Span {
  node: string;
  epoch: number;
  first: number;
  last: number;
}

describe("fencing", () => {
  it("never lets two nodes process one partition at the same time", async () => {
    const urls = cluster().nats.urls;
    // A third node behind proxies, so it alone can be cut off.
    for (const url of urls) proxies.push(await startTcpProxy(Number(new URL(url).port)));
    const cut = await cluster().addNode(proxies.map((p) => p.url));
    const load = await publishReadings(urls, { units: 12, sensors: 3, perSecond: 300 });
    await expect.poll(async () => (await cut.log()).filter((l) => l.msg === "partition taken").length, { timeout: 30_000 }).toBeGreaterThan(0);
    await expect.poll(() => load.accepted(), { timeout: 30_000 }).toBeGreaterThan(1_500);
    for (const p of proxies) p.cut();
    await expect.poll(async () => (await cut.log()).filter((l) => l.msg === "partition fenced").length, { timeout: 30_000 }).toBeGreaterThan(0);
    const acceptedAtCut = load.accepted();
    await expect.poll(() => load.accepted(), { timeout: 30_000 }).toBeGreaterThan(acceptedAtCut + 1_500);
    for (const p of proxies) p.mend();
    // Back in: it rejoins and gets its share again.
    await expect.poll(async () => (await cut.log()).filter((l) => l.msg === "partition taken").length, { timeout: 30_000 }).toBeGreaterThan(1);
    await expectExactlyOnce(urls, load);

    // Every tenure's span is logged once its node stops (or when it was fenced).
    await Promise.all(cluster().nodes.map((n) => n.stop()));
    const spans = new Map<number, Span[]>();
    const late: LogLine[] = [];
    for (const node of cluster().nodes) {
      for (const line of await node.log()) {
        if (line.msg === "output after its tenure ended") late.push(line);
        if (line.msg !== "partition tenure ended" || line.applied === 0) continue;
        const list = spans.get(line.partition as number) ?? [];
        list.push({ node: line.node as string, epoch: line.epoch as number, first: line.firstProcessedAt as number, last: line.lastProcessedAt as number });
        spans.set(line.partition as number, list);
      }
    }
    for (const line of late) {
      const span = spans.get(line.partition as number)?.find((s) => s.epoch === line.epoch);
      if (span !== undefined) span.last = Math.max(span.last, line.processedAt as number);
    }
    let handovers = 0;
    for (const [partition, list] of spans) {
      list.sort((a, b) => a.epoch - b.epoch);
      for (let i = 1; i < list.length; i++) {
        const before = list[i - 1] as Span;
        const after = list[i] as Span;
        expect(before.last, `partition ${partition}: ${before.node}@${before.epoch} vs ${after.node}@${after.epoch}`).toBeLessThan(after.first);
        handovers++;
      }
    }
    // The cut node's partitions changed hands at least once each way.
    expect(handovers).toBeGreaterThan(0);
    const cutSpans = [...spans.values()].flat().filter((s) => s.node === cut.id);
    expect(cutSpans.length).toBeGreaterThan(1);
  }, 180_000);
});
