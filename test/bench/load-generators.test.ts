import { connect } from "@nats-io/transport-node";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nowMs, SEND_STAMP } from "../../bench/load/plant-values.js";
import { prepare, stampNow } from "../../bench/load/prepared.js";
import { runLoad } from "../../bench/load/run-load.js";
import { startMosquitto, startNats, type ServerHandle } from "../harness/servers.js";

describe("a prepared message", () => {
  it("gets the send time written over each of its send-time placeholders", () => {
    const message = prepare("vigil.ingest.batch", `[{"unit":"U1","sensor":"s","value":1,"timestamp":${SEND_STAMP}},{"unit":"U2","sensor":"s","value":2,"timestamp":${SEND_STAMP}}]`);
    const before = nowMs();
    stampNow(message);
    const stamps = (JSON.parse(message.bytes.toString()) as { timestamp: number }[]).map((r) => r.timestamp);
    expect(stamps).toHaveLength(2);
    for (const stamp of stamps) expect(stamp).toBeGreaterThanOrEqual(Math.floor(before));
    for (const stamp of stamps) expect(stamp).toBeLessThanOrEqual(nowMs());
  });

  it("with readings in the plant's own time is sent as it was made", () => {
    const text = `{"value":1,"quality":"GOOD","timestamp":1764000000000}`;
    const message = prepare("vigil.ingest.reading.U1.s", text);
    stampNow(message);
    expect(message.bytes.toString()).toBe(text);
  });
});

describe("a load generator run by the bench", () => {
  let nats: ServerHandle;
  let mosquitto: ServerHandle;
  beforeAll(async () => {
    [nats, mosquitto] = await Promise.all([startNats({ jetstream: false }), startMosquitto()]);
  });
  afterAll(async () => {
    await Promise.all([nats?.stop(), mosquitto?.stop()]);
  });

  it("over NATS sends nothing before its go, then every reading", async () => {
    const observer = await connect({ servers: nats.url });
    let seen = 0;
    const sub = observer.subscribe("vigil.ingest.reading.>", {
      callback: () => {
        seen++;
      },
    });
    await observer.flush();
    let seenAtGo = -1;
    const summary = await runLoad("nats-load.ts", [nats.url, "single", 4, 200, Date.now() - 3_600_000], () => (seenAtGo = seen));
    await observer.flush();
    sub.unsubscribe();
    await observer.close();
    expect({ seenAtGo, seen, sent: summary.sent }).toEqual({ seenAtGo: 0, seen: 200, sent: 200 });
  });

  it("over MQTT sends framed packets a subscriber reads as the plant's readings", async () => {
    const observer = await mqtt.connectAsync(mosquitto.url, { clean: true });
    const payloads: { topic: string; reading: { value: number; quality: string; timestamp: number } }[] = [];
    observer.on("message", (topic, payload) => payloads.push({ topic, reading: JSON.parse(payload.toString()) as { value: number; quality: string; timestamp: number } }));
    await observer.subscribeAsync("loadspec/#", { qos: 0 });
    let seenAtGo = -1;
    const before = nowMs();
    await runLoad("mqtt-load.ts", [mosquitto.url, "loadspec", 2, 50, "now"], () => (seenAtGo = payloads.length));
    for (let i = 0; payloads.length < 50 && i < 100; i++) await new Promise((r) => setTimeout(r, 20));
    await observer.endAsync();
    expect(seenAtGo).toBe(0);
    expect(payloads).toHaveLength(50);
    for (const { topic, reading } of payloads) {
      expect(topic).toMatch(/^loadspec\/[A-Z0-9]+\/[a-z_]+$/);
      expect(Number.isFinite(reading.value)).toBe(true);
      expect(reading.timestamp).toBeGreaterThanOrEqual(Math.floor(before));
    }
  });
});
