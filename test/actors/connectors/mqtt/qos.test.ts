/**
 * The MQTT connector's QoS 1 guarantees against a real Mosquitto: a message
 * is acknowledged only once the system has accepted its readings, the
 * persistent session keeps messages while the connector is away, and after
 * a broker crash the connector reconnects and subscribes again.
 */
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import type { MqttConnectionState } from "../../../../src/actors/connectors/index.js";
import { freePort } from "../../../harness/probes.js";
import { startMosquitto } from "../../../harness/servers.js";
import { statusUntil, within } from "../rig.js";
import { mqttSettings, mqttSpecRig } from "./mqtt-rig.js";

const spec = mqttSpecRig();
const { rig, connector, device } = spec;

describe("MQTT QoS 1", () => {
  it("loses no reading when the broker is killed and restarted mid-sequence, and subscribes again", async () => {
    const TOTAL = 200;
    const r = await rig();
    const registry = new Registry();
    const settings = mqttSettings(spec.broker.url);
    const c = connector(settings, r, registry);
    const states: MqttConnectionState[] = [];
    c.onStatus((s) => states.at(-1) !== s.state && states.push(s.state));
    await within("the connector to subscribe", c.ready());

    // The device does not reconnect on its own: a broker restarted after kill -9 has forgotten
    // every session, and would drop (for want of a subscriber) whatever the device resent before
    // the connector had subscribed again — a loss no client can prevent. So it reconnects once the
    // connector is back, and resends what the broker had not acknowledged.
    const d = await device({ reconnectPeriod: 0 });
    const sending = (async () => {
      for (let n = 1; n <= TOTAL; n++) await d.publishAsync("scada/UNIT001/sequence", String(n), { qos: 1 });
    })();

    await r.sensors.until("the first 50 readings", (all) => all.length >= 50);
    await spec.broker.kill();
    await statusUntil(c, "the connector to notice", (s) => s.state !== "connected");
    await spec.broker.start();
    const back = await statusUntil(c, "the connector to subscribe again", (s) => s.state === "connected");
    d.reconnect({ incomingStore: d.incomingStore, outgoingStore: d.outgoingStore });
    await within("the device to send the rest", sending);

    await r.sensors.until(`all ${TOTAL} sequence numbers`, (all) => new Set(all.map((x) => x.value)).size === TOTAL);
    expect(back).toMatchObject({ connects: 2, subscribes: 2, sessionResumed: false });
    expect(states).toEqual(expect.arrayContaining(["connected", "disconnected", "reconnecting"]));
    expect(states.at(-1)).toBe("connected");
    const gauge = await registry.getSingleMetric("vigil_mqtt_connection_state")?.get();
    expect(gauge?.values.filter((v) => v.value === 1).map((v) => v.labels)).toEqual([{ client: settings.clientId, state: "connected" }]);
  });

  it("does not acknowledge a message before the system accepts it: left in hand at a stop, the broker redelivers it", async () => {
    // One reading held in `receive`, one waiting in a mailbox of one: the third is refused.
    const blocked = await rig({ mailboxCapacity: 1 });
    blocked.sensors.hold();
    const settings = mqttSettings(spec.broker.url, { drainTimeoutMs: 0 });
    const first = connector(settings, blocked);
    await within("the connector to subscribe", first.ready());
    const d = await device();
    for (const value of [1, 2, 3]) await d.publishAsync("scada/UNIT001/temperature", String(value), { qos: 1 });
    await statusUntil(first, "the third message to be in hand", (s) => s.messages === 3);
    expect(blocked.sensors.readings.map((x) => x.value)).toEqual([1]);

    await first.stop();
    blocked.sensors.release();

    const fresh = await rig();
    const second = connector(settings, fresh); // same client id: the same broker session
    await fresh.sensors.until("the redelivered message", (all) => all.some((x) => x.value === 3));
    expect(second.status().sessionResumed).toBe(true);
  });

  it("keeps QoS 1 messages in the persistent session while the connector is away", async () => {
    const settings = mqttSettings(spec.broker.url);
    const away = await rig();
    const first = connector(settings, away);
    await within("the connector to subscribe", first.ready());
    await first.stop();

    const d = await device();
    for (let n = 1; n <= 5; n++) await d.publishAsync("scada/UNIT002/pressure", String(n), { qos: 1 });

    const back = await rig();
    const second = connector(settings, back);
    await back.sensors.until("the five messages sent while away", (all) => all.length === 5);
    expect(back.sensors.readings.map((x) => x.value)).toEqual([1, 2, 3, 4, 5]);
    expect(second.status().sessionResumed).toBe(true);
  });
});

describe("MQTT connection", () => {
  it("keeps trying while no broker answers, and stops cleanly without ever connecting", async () => {
    const r = await rig();
    const c = connector(mqttSettings(`mqtt://127.0.0.1:${await freePort()}`), r);
    const failed = await statusUntil(c, "a refused connection", (s) => s.lastError !== null && s.state === "disconnected");
    expect(failed).toMatchObject({ connects: 0, lastError: expect.stringMatching(/ECONNREFUSED/) as string });
    const ready = c.ready();
    await c.stop();
    await expect(ready).rejects.toMatchObject({ code: "VIGIL_MQTT_NOT_CONNECTED" });
    expect(c.status().state).toBe("stopped");
  });

  it("bounds publish-backs while away: QoS 0 is refused, QoS 1 waits up to maxPendingPublishes, and fails at stop", async () => {
    const r = await rig();
    const c = connector(mqttSettings(`mqtt://127.0.0.1:${await freePort()}`, { maxPendingPublishes: 2, drainTimeoutMs: 0 }), r);
    await expect(c.publish("solar/PV01/forecast", "1")).rejects.toMatchObject({ code: "VIGIL_MQTT_NOT_CONNECTED" });
    const waiting = [c.publish("solar/PV01/forecast", "1", { qos: 1 }), c.publish("solar/PV01/forecast", "2", { qos: 1 })];
    expect(c.status().pendingPublishes).toBe(2);
    await expect(c.publish("solar/PV01/forecast", "3", { qos: 1 })).rejects.toMatchObject({ code: "VIGIL_MQTT_BACKLOG_FULL" });
    await c.stop();
    for (const w of waiting) await expect(w).rejects.toMatchObject({ code: "VIGIL_MQTT_NOT_CONNECTED" });
    expect(c.status().pendingPublishes).toBe(0);
  });

  it("sends QoS 1 publish-backs made while away once the broker is back", async () => {
    const r = await rig();
    const own = await startMosquitto();
    await own.stop();
    const c = connector(mqttSettings(own.url), r);
    const sent = c.publish("solar/PV01/forecast", "42", { qos: 1 });
    await own.start();
    await within("the connector to connect", c.ready());
    await within("the publish to be confirmed", sent);
    expect(c.status().pendingPublishes).toBe(0);
  });
});

