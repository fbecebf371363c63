/**
 * NATS load generator, run as its own process (it still shares the cores
 * with the system under test). Publishes `count` plant readings
 * (plant-values.ts) of `units` units either one per message on
 * `vigil.ingest.reading.<unit>.<sensor>` or in batches on `vigil.ingest.batch`
 * (flat out: as requests, at most 16 unanswered, so the node's acceptance
 * paces the sender), or at `rate` readings per second. `eventStart` is the
 * epoch ms the readings' own time starts at (one second apart per sensor), or
 * `now` to stamp each with its send time in fractional epoch ms. Prints one
 * JSON line `{sent, seconds, truth}` when done (truth: the plant's ground truth).
 *
 * usage: tsx bench/load/nats-load.ts <servers> <single|batch> <units> <count> <eventStart|now> [rate] [batchSize]
 */
import { connect } from "@nats-io/transport-node";
import { PlantLoad } from "./plant-values.js";

const [servers = "", mode = "batch", unitsArg = "100", countArg = "100000", startArg = "now", rateArg = "0", batchArg = "1000"] = process.argv.slice(2);
const count = Number(countArg);
const rate = Number(rateArg);
const batchSize = Number(batchArg);
const plant = new PlantLoad(Number(unitsArg), startArg === "now" ? undefined : Number(startArg));

const encoder = new TextEncoder();
const nc = await connect({ servers, name: "vigil-bench-load" });
const WINDOW = 16;
const inflight = new Set<Promise<unknown>>();
const start = performance.now();
let sent = 0;
while (sent < count) {
  const n = Math.min(batchSize, count - sent);
  if (mode === "batch") {
    const parts: string[] = [];
    for (const r of plant.next(n)) parts.push(`{"unit":"${r.unit}","sensor":"${r.sensor}",${r.fields}}`);
    sent += n;
    const data = encoder.encode(`[${parts.join(",")}]`);
    if (rate > 0) {
      nc.publish("vigil.ingest.batch", data);
    } else {
      // Flat out, a gateway must not outrun the node: it sends batches as requests and keeps
      // at most WINDOW unanswered (the node answers once it has accepted a batch).
      const answered: Promise<unknown> = nc.request("vigil.ingest.batch", data, { timeout: 60_000 }).then(() => inflight.delete(answered));
      inflight.add(answered);
      if (inflight.size >= WINDOW) await Promise.race(inflight);
    }
  } else {
    for (const r of plant.next(n)) nc.publish(`vigil.ingest.reading.${r.unit}.${r.sensor}`, encoder.encode(`{${r.fields}}`));
    sent += n;
  }
  if (rate > 0) {
    const wait = start + (sent / rate) * 1000 - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
  } else if (sent % (batchSize * 20) === 0) {
    // Round trip now and then so the client's outbound buffer does not hold the whole run.
    await nc.flush();
  }
}
await Promise.all(inflight);
await nc.flush();
await nc.close();
process.stdout.write(`${JSON.stringify({ sent, seconds: (performance.now() - start) / 1000, truth: plant.truth() })}\n`);
