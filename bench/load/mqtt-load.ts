/**
 * MQTT load generator, run as its own process so its event loop does not
 * share a thread with the system under test (it still shares the cores;
 * start it with run-load.ts). Prepares `count` single-reading JSON messages
 * of plant readings (plant-values.ts) of `units` units for
 * `<prefix>/<unit>/<sensor>`, then, on the bench's go (start-signal.ts),
 * publishes them at QoS 0 (or `qos`) as fast as the socket takes them or
 * at `rate` per second (0: flat out). `eventStart` is the epoch ms the
 * readings' own time starts at (one second apart per sensor), or `now` to
 * stamp each with its send time in fractional epoch ms. Prints one JSON
 * line `{sent, seconds, cpu_us, truth}` when done (truth: the plant's
 * ground truth, GroundTruthExport).
 *
 * At QoS 0 the PUBLISH packets are framed beforehand (by mqtt-packet, the
 * framing mqtt.js itself uses) and a chunk of them goes to the connection's
 * socket in one write, as a gateway forwarding a backlog would send them:
 * mqtt.js's publish costs about 6 µs a message, which the generator would
 * take from the node's cores. At QoS 1 mqtt.js publishes, as its packet ids
 * and acknowledgements are its to keep.
 *
 * usage: tsx bench/load/mqtt-load.ts <url> <prefix> <units> <count> <eventStart|now> [rate] [qos]
 */
import mqtt from "mqtt";
import { generate } from "mqtt-packet";
import { PlantLoad } from "./plant-values.js";
import { prepare, prepareBytes, stampNow, type PreparedMessage } from "./prepared.js";
import { readyThenWaitForGo, sendingClock } from "./start-signal.js";

const [url = "", prefix = "scada", unitsArg = "100", countArg = "100000", startArg = "now", rateArg = "0", qosArg = "0"] = process.argv.slice(2);
const count = Number(countArg);
const rate = Number(rateArg);
const qos = qosArg === "1" ? 1 : 0;
const plant = new PlantLoad(Number(unitsArg), startArg === "now" ? undefined : Number(startArg));

/** At QoS 0 whole PUBLISH packets; at QoS 1 the payloads, for mqtt.js to frame. */
const messages: PreparedMessage[] = [];
while (messages.length < count) {
  for (const r of plant.next(Math.min(1000, count - messages.length))) {
    const topic = `${prefix}/${r.unit}/${r.sensor}`;
    const payload = `{${r.fields}}`;
    messages.push(qos === 0 ? prepareBytes(topic, generate({ cmd: "publish", topic, payload: Buffer.from(payload, "latin1"), qos: 0, dup: false, retain: false })) : prepare(topic, payload));
  }
}

const client = await mqtt.connectAsync(url, { clean: true, reconnectPeriod: 0 });
const socket = client.stream as unknown as { write(chunk: Buffer): boolean; writableLength?: number; once(e: string, f: () => void): void };
await readyThenWaitForGo();
const clock = sendingClock();
const start = performance.now();
const CHUNK = 500;
for (let sent = 0; sent < count; ) {
  const end = Math.min(sent + CHUNK, count);
  const acked: Promise<unknown>[] = [];
  const packets: Buffer[] = [];
  for (let i = sent; i < end; i++) {
    const message = messages[i]!;
    stampNow(message);
    if (qos === 0) packets.push(message.bytes);
    else acked.push(client.publishAsync(message.subject, message.bytes, { qos }));
  }
  if (packets.length > 0) socket.write(Buffer.concat(packets));
  // At QoS 1 a chunk's acks are awaited: mqtt.js slows to a crawl with many thousands of publishes unacknowledged.
  await Promise.all(acked);
  sent = end;
  if (rate > 0) {
    const due = start + (sent / rate) * 1000;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
  }
  // Let the socket drain rather than buffering the whole run in memory.
  if ((socket.writableLength ?? 0) > 4 * 1024 * 1024) await new Promise<void>((r) => socket.once("drain", r));
  else await new Promise((r) => setImmediate(r));
}
await client.endAsync();
process.stdout.write(clock.summary(count, plant.truth()));
