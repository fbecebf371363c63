/**
 * The MQTT connector reads plain publishes off the socket itself
 * (publish-tap.ts) and leaves the rest to mqtt.js: against a real Mosquitto,
 * whatever the packets and however the socket cuts them, every message
 * arrives once, in order within its QoS, and each QoS 1 message taken is acknowledged.
 */
import { describe, expect, it } from "vitest";
import { within } from "../rig.js";
import { mqttSettings, mqttSpecRig } from "./mqtt-rig.js";

const spec = mqttSpecRig();
const { rig, connector, device } = spec;

describe("MQTT on the wire", () => {
  it("acknowledges every QoS 1 message it took: its session is sent none of them again after a stop", async () => {
    const settings = mqttSettings(spec.broker.url);
    const first = await rig();
    const c = connector(settings, first);
    await within("the connector to subscribe", c.ready());
    const d = await device();
    const sent = Array.from({ length: 300 }, (_, i) => d.publishAsync("scada/UNIT001/sequence", String(i + 1), { qos: 1 }));
    await within("the device to send them", Promise.all(sent));
    await first.sensors.until("all 300 readings", () => first.sensors.of("UNIT001", "sequence").length === 300);
    await c.stop();

    const second = await rig();
    const again = connector(settings, second);
    await within("the connector to subscribe again", again.ready());
    await d.publishAsync("scada/UNIT001/marker", "1", { qos: 1 });
    await second.sensors.until("the marker", () => second.sensors.of("UNIT001", "marker").length === 1);
    expect(again.status().sessionResumed).toBe(true);
    expect(second.sensors.of("UNIT001", "sequence")).toEqual([]);
  });

  it("stops reading while the system refuses a message, and takes the rest in order once it accepts again", async () => {
    // One reading held in `receive`, one waiting in a mailbox of one: the third is refused and waited for.
    const r = await rig({ mailboxCapacity: 1 });
    const c = connector(mqttSettings(spec.broker.url), r);
    await within("the connector to subscribe", c.ready());
    r.sensors.hold();
    const d = await device();
    const sent = Array.from({ length: 200 }, (_, i) => d.publishAsync("scada/UNIT001/backlog", String(i + 1), { qos: i % 2 === 1 ? 1 : 0 }));
    await r.sensors.until("the first reading held", () => r.sensors.of("UNIT001", "backlog").length >= 1);
    r.sensors.release();
    await within("the device to send them", Promise.all(sent));
    await r.sensors.until("all 200 readings", () => r.sensors.of("UNIT001", "backlog").length === 200);
    const got = r.sensors.of("UNIT001", "backlog").map((x) => x.value);
    expect(got.filter((v) => v % 2 === 0)).toEqual(Array.from({ length: 100 }, (_, i) => 2 * i + 2));
    expect(got.filter((v) => v % 2 === 1)).toEqual(Array.from({ length: 100 }, (_, i) => 2 * i + 1));
  });

  it("reads MQTT 5 publishes that carry properties, at QoS 0 and 1, as any other", async () => {
    const r = await rig();
    const c = connector(mqttSettings(spec.broker.url), r);
    await within("the connector to subscribe", c.ready());
    const d = await device({ protocolVersion: 5 });
    const properties = { userProperties: { site: "north" }, messageExpiryInterval: 60, contentType: "application/json" };
    await d.publishAsync("scada/UNIT001/flow", '{"value":1.5}', { qos: 0, properties });
    await d.publishAsync("scada/UNIT001/flow", '{"value":2.5}', { qos: 1, properties });
    await d.publishAsync("scada/UNIT001/flow", "3.5", { qos: 1 });
    await r.sensors.until("three flow readings", () => r.sensors.of("UNIT001", "flow").length === 3);
    expect(r.sensors.of("UNIT001", "flow").map((x) => x.value)).toEqual([1.5, 2.5, 3.5]);
  });

  it("takes a burst of small and large messages at QoS 0 and 1 whole, once and in order within each QoS, across many socket reads", async () => {
    const r = await rig();
    const c = connector(mqttSettings(spec.broker.url, { maxPayloadBytes: 1024 * 1024 }), r);
    await within("the connector to subscribe", c.ready());
    const d = await device();
    // Fewer than Mosquitto's queue per client (max_queued_messages, 1000), past which it drops messages for a slow subscriber.
    const TOTAL = 600;
    const sent: Promise<unknown>[] = [];
    for (let n = 1; n <= TOTAL; n++) {
      // Every fiftieth is 200 KB, longer than a socket read; the rest are a few bytes.
      const payload = n % 50 === 0 ? JSON.stringify({ value: n, note: "x".repeat(200_000) }) : String(n);
      sent.push(d.publishAsync("scada/UNIT001/burst", payload, { qos: n % 2 === 0 ? 1 : 0 }));
    }
    await within("the device to send the burst", Promise.all(sent));
    await r.sensors.until(`all ${TOTAL} readings`, () => r.sensors.of("UNIT001", "burst").length === TOTAL);
    // MQTT orders messages of one QoS: the broker holds QoS 1 ones in its in-flight window while QoS 0 ones go by.
    const got = r.sensors.of("UNIT001", "burst").map((x) => x.value);
    const expected = Array.from({ length: TOTAL }, (_, i) => i + 1);
    expect(got.filter((v) => v % 2 === 0)).toEqual(expected.filter((v) => v % 2 === 0));
    expect(got.filter((v) => v % 2 === 1)).toEqual(expected.filter((v) => v % 2 === 1));
  });
});
