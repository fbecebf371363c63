/**
 * MQTT load generator, run as its own process so its event loop does not
 * share a thread with the system under test (it still shares the cores).
 * Publishes `count` single-reading JSON messages at QoS 0 to
 * `<prefix>/<unit>/<sensor>`, as fast as the socket takes them or at `rate`
 * per second, each stamped with its send time in fractional epoch ms.
 * Prints one JSON line `{sent, seconds}` when done.
 *
 * usage: tsx bench/load/mqtt-load.ts <url> <prefix> <units> <sensors> <count> [rate]
 */
import mqtt from "mqtt";
import { nowMs, sensorIds, valueOf } from "./plant-values.js";

const [url = "", prefix = "scada", unitsArg = "100", sensorsArg = "5", countArg = "100000", rateArg = "0"] = process.argv.slice(2);
const units = Number(unitsArg);
const sensors = Number(sensorsArg);
const count = Number(countArg);
const rate = Number(rateArg);
const topics = sensorIds(units, sensors).map(([unit, sensor]) => `${prefix}/${unit}/${sensor}`);

const client = await mqtt.connectAsync(url, { clean: true, reconnectPeriod: 0 });
const start = performance.now();
let sent = 0;
const CHUNK = 500;
while (sent < count) {
  const n = Math.min(CHUNK, count - sent);
  for (let i = 0; i < n; i++, sent++) {
    const topic = topics[sent % topics.length] as string;
    client.publish(topic, `{"value":${valueOf(sent)},"timestamp":${nowMs().toFixed(3)}}`, { qos: 0 });
  }
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
process.stdout.write(`${JSON.stringify({ sent, seconds: (performance.now() - start) / 1000 })}\n`);
