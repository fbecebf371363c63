/**
 * MQTT ingest in a cluster, against a real Mosquitto: cluster members
 * (`cluster.enabled`) subscribe under one share group (`$share/<group>/<filter>`), so
 * the broker hands each message to exactly one of them; lone nodes subscribe
 * plainly and each gets everything.
 */
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { MqttConnector, mqttSettingsFor } from "../../../../src/actors/connectors/index.js";
import { silentLog } from "../../../fixtures/actor-system.js";
import { startMosquitto, stopAllServers, type ServerHandle } from "../../../harness/servers.js";
import { startRig, within, type Rig } from "../rig.js";
import { connectDevice, mqttSettings } from "./mqtt-rig.js";

const MESSAGES = 200;

let broker: ServerHandle;
const cleanup: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  broker = await startMosquitto();
});

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

afterAll(stopAllServers);

interface Member {
  readonly rig: Rig;
  readonly connector: MqttConnector;
}

/** A node's MQTT ingest as the node wires it, in a cluster or on its own, with share group `group`. */
async function member(clustered: boolean, group: string): Promise<Member> {
  const rig = await startRig();
  cleanup.push(() => rig.stop());
  const settings = mqttSettingsFor({ cluster: { enabled: clustered }, mqtt: { ...mqttSettings(broker.url), sharedGroup: group } });
  const connector = new MqttConnector({ settings, gateway: rig.gateway, log: silentLog });
  cleanup.push(() => connector.stop());
  await within("the member to subscribe", connector.ready());
  return { rig, connector };
}

/** Publishes MESSAGES readings at QoS 1, values 1..MESSAGES, spread over five units. */
async function publishAll(): Promise<void> {
  const device = await connectDevice(broker.url);
  cleanup.push(() => device.endAsync(true));
  for (let n = 1; n <= MESSAGES; n++) await device.publishAsync(`scada/UNIT00${(n % 5) + 1}/sequence`, String(n), { qos: 1 });
}

function values(m: Member): number[] {
  return m.rig.sensors.readings.map((r) => r.value);
}

describe("MQTT shared subscriptions", () => {
  it("delivers each message to exactly one of two cluster members sharing a group", async () => {
    const group = `plant-${randomUUID().slice(0, 8)}`;
    const a = await member(true, group);
    const b = await member(true, group);
    await publishAll();

    const all = (): number[] => [...values(a), ...values(b)];
    await waitFor("every message to reach a member", () => new Set(all()).size === MESSAGES, a, b);
    // Stopping drains what is in hand: from here on the counts are final.
    await a.connector.stop();
    await b.connector.stop();

    expect(all()).toHaveLength(MESSAGES);
    expect(new Set(all()).size).toBe(MESSAGES);
    // The broker spreads the group's messages over its members rather than picking one.
    expect(values(a).length).toBeGreaterThan(0);
    expect(values(b).length).toBeGreaterThan(0);
  });

  it("gives every message to each of two lone nodes, which subscribe plainly whatever the group", async () => {
    const group = `plant-${randomUUID().slice(0, 8)}`;
    const a = await member(false, group);
    const b = await member(false, group);
    await publishAll();

    await waitFor("every message to reach both nodes", () => values(a).length === MESSAGES && values(b).length === MESSAGES, a, b);
    expect(new Set(values(a)).size).toBe(MESSAGES);
    expect(new Set(values(b)).size).toBe(MESSAGES);
  });
});

/** Resolves once `done()` holds, checked on every reading either member records. */
function waitFor(what: string, done: () => boolean, a: Member, b: Member): Promise<void> {
  return Promise.any([a.rig.sensors.until(what, done), b.rig.sensors.until(what, done)]);
}
