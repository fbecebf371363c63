/**
 * NATS load generator, run as its own process (it still shares the cores
 * with the system under test; start it with run-load.ts). Prepares `count`
 * plant readings (plant-values.ts) of `units` units, either one per message
 * on `vigil.ingest.reading.<unit>.<sensor>` or in batches on
 * `vigil.ingest.batch`, then, on the bench's go (start-signal.ts), sends
 * them flat out (batches as requests, at most 16 unanswered, so the node's
 * acceptance paces the sender) or at `rate` readings per second.
 * `eventStart` is the epoch ms the readings' own time starts at (one second
 * apart per sensor), or `now` to stamp each with its send time in
 * fractional epoch ms. Prints one JSON line `{sent, seconds, cpu_us, truth}`
 * when done (truth: the plant's ground truth).
 *
 * usage: tsx bench/load/nats-load.ts <servers> <single|batch> <units> <count> <eventStart|now> [rate] [batchSize]
 */
import { connect } from "@nats-io/transport-node";
import { PlantLoad } from "./plant-values.js";
import { prepare, stampNow, type PreparedMessage } from "./prepared.js";
import { readyThenWaitForGo, sendingClock } from "./start-signal.js";

const [servers = "", mode = "batch", unitsArg = "100", countArg = "100000", startArg = "now", rateArg = "0", batchArg = "1000"] = process.argv.slice(2);
const count = Number(countArg);
const rate = Number(rateArg);
const batchSize = Number(batchArg);
const plant = new PlantLoad(Number(unitsArg), startArg === "now" ? undefined : Number(startArg));

/** The load's messages, and after each the readings sent so far (for pacing). */
const messages: PreparedMessage[] = [];
const sentAfter: number[] = [];
for (let made = 0; made < count; ) {
  const readings = plant.next(Math.min(batchSize, count - made));
  if (mode === "batch") {
    messages.push(prepare("vigil.ingest.batch", `[${readings.map((r) => `{"unit":"${r.unit}","sensor":"${r.sensor}",${r.fields}}`).join(",")}]`));
    made += readings.length;
    sentAfter.push(made);
  } else {
    for (const r of readings) {
      messages.push(prepare(`vigil.ingest.reading.${r.unit}.${r.sensor}`, `{${r.fields}}`));
      sentAfter.push(++made);
    }
  }
}

const nc = await connect({ servers, name: "vigil-bench-load" });
await readyThenWaitForGo();
const clock = sendingClock();
const WINDOW = 16;
const inflight = new Set<Promise<unknown>>();
const start = performance.now();
for (let i = 0; i < messages.length; i++) {
  const message = messages[i]!;
  stampNow(message);
  if (rate > 0 || mode !== "batch") {
    nc.publish(message.subject, message.bytes);
  } else {
    // Flat out, a gateway must not outrun the node: it sends batches as requests and keeps
    // at most WINDOW unanswered (the node answers once it has accepted a batch).
    const answered: Promise<unknown> = nc.request(message.subject, message.bytes, { timeout: 60_000 }).then(() => inflight.delete(answered));
    inflight.add(answered);
    if (inflight.size >= WINDOW) await Promise.race(inflight);
  }
  const sent = sentAfter[i]!;
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
process.stdout.write(clock.summary(count, plant.truth()));
