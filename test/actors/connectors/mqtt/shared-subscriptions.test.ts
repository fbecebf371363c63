/**
 * MQTT ingest in a cluster, against a real Mosquitto: cluster members
 * (`cluster.enabled`) subscribe under one share group (`$share/<group>/<filter>`), so
 * the broker hands each message to exactly one of them; lone nodes subscribe
 * plainly and each gets everything. QoS 1 acknowledgement is unchanged: what
 * a member leaves unacknowledged comes back to its session, not lost.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { mqttSettingsFor, type MqttConnector } from "../../../../src/actors/connectors/index.js";
import { statusUntil, within, type Rig } from "../rig.js";
import { mqttSettings, mqttSpecRig } from "./mqtt-rig.js";

const MESSAGES = 200;

const spec = mqttSpecRig();

interface Member {
  readonly rig: Rig;
  readonly connector: MqttConnector;
}

/** A node's MQTT ingest as the node wires it, in a cluster or on its own, with share group `group`. */
async function member(clustered: boolean, group: string, options: { mailboxCapacity?: number; clientId?: string; drainTimeoutMs?: number } = {}): Promise<Member> {
  const { mailboxCapacity, ...mqtt } = options;
  const rig = await spec.rig(mailboxCapacity === undefined ? {} : { mailboxCapacity });
  const settings = mqttSettingsFor({ cluster: { enabled: clustered }, mqtt: { ...mqttSettings(spec.broker.url, mqtt), sharedGroup: group } });
  const connector = spec.connector(settings, rig);
  await within("the member to subscribe", connector.ready());
  return { rig, connector };
}

/** Publishes readings of one sensor at QoS 1 with values from..to (one actor per member: its mailbox bounds what the member takes). */
async function publish(from: number, to: number): Promise<void> {
  const device = await spec.device();
  for (let n = from; n <= to; n++) await device.publishAsync("scada/UNIT001/sequence", String(n), { qos: 1 });
}

async function publishAll(): Promise<void> {
  await publish(1, MESSAGES);
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

describe("MQTT shared subscriptions at QoS 1", () => {
  it("loses no message a member stopped with unacknowledged: Mosquitto keeps it in that member's session, for the same client id", async () => {
    const group = `plant-${randomUUID().slice(0, 8)}`;
    const clientId = `vigil-test-${randomUUID().slice(0, 8)}`;
    // One reading held in `receive`, one waiting in a mailbox of one: a third is in hand, unacknowledged.
    const a = await member(true, group, { mailboxCapacity: 1, clientId, drainTimeoutMs: 0 });
    a.rig.sensors.hold();
    const b = await member(true, group);
    await publish(1, 8);
    await statusUntil(a.connector, "a third message to be in the held member's hand", (s) => s.messages >= 3);
    await a.connector.stop();
    a.rig.sensors.release();
    // The held readings now finish, the third too: accepted, but after its connection was gone, so never acknowledged.
    await a.rig.sensors.until("the held member's third reading", (all) => all.length === 3);
    const inHand = values(a)[2];

    await publish(9, 12);
    const back = await member(true, group, { clientId });
    const seen = (): Set<number> => new Set([...values(a), ...values(b), ...values(back)]);
    await waitFor("every message to reach a member", () => seen().size === 12, b, back);
    expect([...seen()].sort((x, y) => x - y)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(back.connector.status().sessionResumed).toBe(true);
    // Not handed to the other member: why a node needs a stable MQTT client id (deploy/README.md).
    expect(values(back)).toContain(inHand);
    expect(values(b)).not.toContain(inHand);
  });
});

/** Resolves once `done()` holds, checked on every reading either member records. */
function waitFor(what: string, done: () => boolean, a: Member, b: Member): Promise<void> {
  return Promise.any([a.rig.sensors.until(what, done), b.rig.sensors.until(what, done)]);
}
