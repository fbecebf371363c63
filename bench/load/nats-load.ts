/**
 * NATS load generator, run as its own process (it still shares the cores
 * with the system under test). Publishes `count` readings for `units` ×
 * `sensors` either one per message on `vigil.ingest.reading.<unit>.<sensor>`
 * or in batches on `vigil.ingest.batch` (flat out: as requests, at most 16
 * unanswered, so the node's acceptance paces the sender), or at `rate`
 * readings per second, each stamped with its send time in
 * fractional epoch ms. Prints one JSON line `{sent, seconds}` when done.
 *
 * usage: tsx bench/load/nats-load.ts <servers> <single|batch> <units> <sensors> <count> [rate] [batchSize]
 */
import { connect } from "@nats-io/transport-node";
import { nowMs, sensorIds, valueOf } from "./plant-values.js";

const [servers = "", mode = "batch", unitsArg = "100", sensorsArg = "5", countArg = "100000", rateArg = "0", batchArg = "1000"] = process.argv.slice(2);
const units = Number(unitsArg);
const sensors = Number(sensorsArg);
const count = Number(countArg);
const rate = Number(rateArg);
const batchSize = Number(batchArg);
const ids = sensorIds(units, sensors);

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
    for (let i = 0; i < n; i++, sent++) {
      const [unit, sensor] = ids[sent % ids.length] as [string, string];
      parts.push(`{"unit":"${unit}","sensor":"${sensor}","value":${valueOf(sent)},"timestamp":${nowMs().toFixed(3)}}`);
    }
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
    for (let i = 0; i < n; i++, sent++) {
      const [unit, sensor] = ids[sent % ids.length] as [string, string];
      nc.publish(`vigil.ingest.reading.${unit}.${sensor}`, encoder.encode(`{"value":${valueOf(sent)},"timestamp":${nowMs().toFixed(3)}}`));
    }
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
process.stdout.write(`${JSON.stringify({ sent, seconds: (performance.now() - start) / 1000 })}\n`);
