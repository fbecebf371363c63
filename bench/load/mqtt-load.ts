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

const [url = "", prefix = "scada", unitsArg = "100", sensorsArg = "5", countArg = "100000", rateArg = "0"] = process.argv.slice(2);
const units = Number(unitsArg);
const sensors = Number(sensorsArg);
const count = Number(countArg);
const rate = Number(rateArg);
const SENSORS = ["temperature", "pressure", "flow_rate", "power", "vibration"];
/** Plausible centres and swings per sensor, so the load is mostly normal plant data, not a flood of anomalies. */
const BANDS = [[20, 3], [4, 0.5], [175, 20], [75, 8], [3, 0.4]] as const;
const valueOf = (i: number): string => {
  const [centre, swing] = BANDS[i % BANDS.length] as readonly [number, number];
  return (centre + Math.sin(i / 50) * swing + ((i * 7919) % 13) * swing * 0.01).toFixed(3);
};
const topics: string[] = [];
for (let u = 0; u < units; u++) for (let s = 0; s < sensors; s++) topics.push(`${prefix}/UNIT${String(u).padStart(4, "0")}/${SENSORS[s % SENSORS.length] ?? "s"}${s >= SENSORS.length ? s : ""}`);

const nowMs = (): number => performance.timeOrigin + performance.now();
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
