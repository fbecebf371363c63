/**
 * MQTT load generator, run as its own process so its event loop does not
 * share a thread with the system under test (it still shares the cores).
 * Publishes `count` single-reading JSON messages of plant readings
 * (plant-values.ts) of `units` units at QoS 0 (or `qos`) to
 * `<prefix>/<unit>/<sensor>`, as fast as the socket takes them or at `rate`
 * per second (0: flat out). `eventStart` is
 * the epoch ms the readings' own time starts at (one second apart per
 * sensor), or `now` to stamp each with its send time in fractional epoch ms.
 * Prints one JSON line `{sent, seconds, truth}` when done (truth: the
 * plant's ground truth, GroundTruthExport).
 *
 * usage: tsx bench/load/mqtt-load.ts <url> <prefix> <units> <count> <eventStart|now> [rate] [qos]
 */
import mqtt from "mqtt";
import { PlantLoad } from "./plant-values.js";

const [url = "", prefix = "scada", unitsArg = "100", countArg = "100000", startArg = "now", rateArg = "0", qosArg = "0"] = process.argv.slice(2);
const count = Number(countArg);
const rate = Number(rateArg);
const qos = qosArg === "1" ? 1 : 0;
const plant = new PlantLoad(Number(unitsArg), startArg === "now" ? undefined : Number(startArg));

const client = await mqtt.connectAsync(url, { clean: true, reconnectPeriod: 0 });
const start = performance.now();
let sent = 0;
const CHUNK = 500;
while (sent < count) {
  const n = Math.min(CHUNK, count - sent);
  const acked: Promise<unknown>[] = [];
  for (const r of plant.next(n)) {
    if (qos === 0) client.publish(`${prefix}/${r.unit}/${r.sensor}`, `{${r.fields}}`, { qos });
    else acked.push(client.publishAsync(`${prefix}/${r.unit}/${r.sensor}`, `{${r.fields}}`, { qos }));
  }
  // At QoS 1 a chunk's acks are awaited: mqtt.js slows to a crawl with many thousands of publishes unacknowledged.
  await Promise.all(acked);
  sent += n;
  if (rate > 0) {
    const due = start + (sent / rate) * 1000;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
  }
  // Let the socket drain rather than buffering the whole run in memory.
  const stream = client.stream as unknown as { writableLength?: number; once(e: string, f: () => void): void };
  if ((stream.writableLength ?? 0) > 4 * 1024 * 1024) await new Promise<void>((r) => stream.once("drain", r));
  else await new Promise((r) => setImmediate(r));
}
await client.endAsync();
process.stdout.write(`${JSON.stringify({ sent, seconds: (performance.now() - start) / 1000, truth: plant.truth() })}\n`);
