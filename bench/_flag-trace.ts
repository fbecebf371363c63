/**
 * Trace of the pipeline bench's flags: the bench's load (bench/load/plant-values.ts,
 * 200 units, a 15,000-reading warm-up then the measured load, each its own
 * PlantLoad as each is its own load process) through a node configured as
 * the bench's (its own registry seeded from the baselines, processed
 * readings per unit batch), every processed reading of the measured load
 * joined with the simulator's truth for it; the flagged ones and the truly
 * anomalous ones broken down by method, sensor, category, reasons, truth.
 * Not a suite (the leading "_"): run it by hand.
 *
 * usage: tsx bench/_flag-trace.ts [readings=100000] [--nats] [--hour=H] [--models=DIR]
 *   --nats: the node on a NATS transport (a throwaway nats-server), as the bench's NATS runs
 *   --hour=H: the load's event time starts at H:00 UTC (default: an hour ago, as the bench)
 *   --models=DIR: the baselines the node's registry is seeded from (default models/)
 */
import type { ProcessedReading, RawReading } from "../src/actors/readings/index.js";
import { startNats } from "../test/harness/servers.js";
import { startBenchNode } from "./load/bench-node.js";
import { eventSeconds, PlantLoad, truthFrom } from "./load/plant-values.js";

const UNITS = 200;
const WARM_UP = 15_000;
const DAY_MS = 24 * 60 * 60 * 1000;
const args = process.argv.slice(2);
const option = (name: string): string | undefined => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const n = Number(args.find((a) => !a.startsWith("--")) ?? 100_000);
const hour = option("hour");
const baselines = option("models");

const nats = args.includes("--nats") ? await startNats({ jetstream: false }) : undefined;
const bench = await startBenchNode({
  ...(baselines === undefined ? {} : { training: { baselineDir: baselines } }),
  transport: nats === undefined ? {} : { kind: "nats", nats: { servers: [nats.url] } },
});
const node = bench.node;

const out: ProcessedReading[] = [];
let measuring = false;
node.feed.source.listen((event) => {
  if (event.kind === "sensor_data" && measuring) out.push((JSON.parse(event.json) as { data: ProcessedReading }).data);
});

async function feed(load: PlantLoad, count: number): Promise<void> {
  for (let sent = 0; sent < count; sent += 1_000) {
    const batch = load.next(Math.min(1_000, count - sent)).map((r) => ({ unit: r.unit, sensor: r.sensor, ...(JSON.parse(`{${r.fields}}`) as object) }) as RawReading);
    await node.gateway.submitMany(batch, "nats");
  }
}

async function settle(expected: number): Promise<void> {
  let last = -1;
  let since = performance.now();
  while (out.length < expected) {
    if (out.length !== last) [last, since] = [out.length, performance.now()];
    else if (performance.now() - since > 10_000) break;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const now = Date.now();
const start = hour === undefined ? now - 60 * 60 * 1000 : Math.floor(now / DAY_MS) * DAY_MS + Number(hour) * 3_600_000 - (Number(hour) * 3_600_000 > now % DAY_MS ? DAY_MS : 0);
await feed(new PlantLoad(UNITS, start), WARM_UP);
await new Promise((r) => setTimeout(r, 3_000)); // the warm-up's last readings out
measuring = true;
const load = new PlantLoad(UNITS, start + (eventSeconds(WARM_UP, UNITS) + 1) * 1000);
await feed(load, n);
await settle(n);
await bench.close();
await nats?.stop();

const truth = truthFrom(load.truth());
const counts = new Map<string, number>();
const bump = (key: string): void => void counts.set(key, (counts.get(key) ?? 0) + 1);
let flagged = 0;
let truthful = 0;
let rightly = 0;
for (const p of out) {
  const t = truth.at(p.unit, p.sensor, p.ts);
  const anomalous = t?.anomalous ?? false;
  const kind = t?.scenarios.join("+") ?? "";
  if (anomalous) {
    truthful++;
    bump(`truly anomalous: ${kind} ${p.sensor} ${p.anomaly ? "flagged" : "missed"}`);
  }
  if (!p.anomaly) continue;
  flagged++;
  if (anomalous) rightly++;
  const verdict = anomalous ? "true" : "false";
  bump(`flagged ${verdict}: method ${p.method}`);
  bump(`flagged ${verdict}: sensor ${p.sensor} (${p.category ?? "no category"}) ${p.method} [${p.reasons.join(",")}]`);
  bump(`flagged ${verdict}: truth state ${t?.state ?? "unknown"}`);
}
console.log(
  JSON.stringify({
    start: new Date(start).toISOString(),
    processed: out.length,
    flagged,
    anomalous: +(flagged / out.length).toFixed(4),
    precision: +(rightly / flagged).toFixed(3),
    recall: +(rightly / truthful).toFixed(3),
    truthAnomalous: +(truthful / out.length).toFixed(4),
  }),
);
for (const [key, count] of [...counts].sort((a, b) => (a[0] < b[0] ? -1 : 1))) console.log(`${count}\t${key}`);
process.exit(0);
