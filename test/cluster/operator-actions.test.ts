/**
 * Operators' actions in a cluster: an alarm API request over NATS is
 * handled by one node (the nodes serve it in a queue group), and an action
 * taken on a partition's owner survives the owner's kill -9 before its next
 * periodic snapshot (the owner snapshots after each action, and the new
 * owner restores that snapshot; the ingest stream it replays does not carry
 * actions). Real processes: a three-server NATS cluster and two Vigil nodes
 * on loopback (deploy/local-cluster), periodic snapshots too rare to happen
 * during the specs.
 */
import { jetstream } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import type { NatsConnection, Subscription } from "@nats-io/nats-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_CLUSTER_API_KEY, type LocalNode } from "../../deploy/local-cluster/launcher.js";
import { ALARM_SUBJECTS } from "../../src/actors/alarm/index.js";
import { hotTemperatureRule, useLocalCluster } from "./cluster-spec.js";
import { readOutputs } from "./readings.js";

const UNITS = Array.from({ length: 8 }, (_, i) => `OP${String(i + 1).padStart(3, "0")}`);
const RULE = hotTemperatureRule("op-hot");

const cluster = useLocalCluster(2, () => ({
  alarmRules: [RULE],
  // Periodic snapshots rarer than the file runs: only the snapshots actions take carry them.
  cluster: { snapshotIntervalMs: 3_600_000, leaseTtlMs: 6_000 },
  sections: { runtime: { askTimeoutMs: 5_000 } },
}));

let nc: NatsConnection;
let transitions: Subscription;
const seen: { alarmId: string; event: string; to: string }[] = [];
let ts = Date.now() - 10 * 60 * 1000;
const decoder = new TextDecoder();

beforeAll(async () => {
  nc = await connect({ servers: cluster().nats.urls });
  transitions = nc.subscribe(ALARM_SUBJECTS.transitionAll);
  void (async () => {
    for await (const m of transitions) seen.push(JSON.parse(decoder.decode(m.data)) as { alarmId: string; event: string; to: string });
  })();
  // Every unit hot: one alarm each, raised by whichever node owns it.
  for (const unit of UNITS) await publish(unit, 95);
  const deadline = Date.now() + 60_000;
  while (new Set(seen.filter((t) => t.event === "raised").map((t) => t.alarmId)).size < UNITS.length) {
    if (Date.now() > deadline) throw new Error(`alarms raised: ${JSON.stringify(seen)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}, 120_000);

afterAll(async () => {
  transitions?.unsubscribe();
  await nc?.close();
});

/** One reading into the cluster's ingest stream; every reading a later timestamp. */
async function publish(unit: string, value: number): Promise<number> {
  ts += 1_000;
  await jetstream(nc).publish(`vigil.ingest.reading.${unit}.temperature`, JSON.stringify({ value, timestamp: ts }));
  return ts;
}

async function api(on: LocalNode, path: string, json?: unknown): Promise<Response> {
  return fetch(`${on.httpUrl}${path}`, {
    method: json === undefined ? "GET" : "POST",
    headers: { "x-api-key": LOCAL_CLUSTER_API_KEY, ...(json === undefined ? {} : { "content-type": "application/json" }) },
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  });
}

async function ownerOf(unit: string): Promise<string | undefined> {
  return (await readOutputs(cluster().nats.urls)).filter((o) => o.unit === unit).at(-1)?.node;
}

const alarmIdOf = (unit: string): string => `${unit}/${RULE.id}/temperature`;

describe("alarm API over NATS in a cluster", () => {
  it("handles each request on one node: one reply, and the feedback it gives is one transition", async () => {
    const alarmId = alarmIdOf(UNITS[0] as string);
    const replies: unknown[] = [];
    // Every reply within the window, not just the first: a request handled by each node is answered by each.
    for await (const m of await nc.requestMany(ALARM_SUBJECTS.api("feedback"), JSON.stringify({ alarmId, by: "spec", feedback: "real_fault" }), { strategy: "timer", maxWait: 3_000 })) {
      replies.push(JSON.parse(decoder.decode(m.data)));
    }
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ ok: true, result: { id: alarmId } });
    await nc.flush();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(seen.filter((t) => t.alarmId === alarmId && t.event === "feedback")).toHaveLength(1);
  }, 60_000);
});

describe("operator actions across a takeover", () => {
  it("an alarm acknowledged on its owner is still acknowledged on the survivor after the owner is killed before any periodic snapshot", async () => {
    const unit = UNITS[1] as string;
    const alarmId = alarmIdOf(unit);
    const ownerId = await ownerOf(unit);
    const owner = cluster().nodes.find((n) => n.id === ownerId) as LocalNode;
    const survivor = cluster().nodes.find((n) => n.id !== ownerId) as LocalNode;
    const res = await api(owner, `/api/v1/alarms/${encodeURIComponent(alarmId)}/acknowledge`, { comment: "on the owner" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: alarmId, state: "active_acknowledged" });
    await owner.kill();

    // The survivor works the unit once a reading published now comes out of it.
    const after = await publish(unit, 96);
    await expect.poll(async () => (await readOutputs(cluster().nats.urls)).find((o) => o.unit === unit && o.ts === after)?.node, { timeout: 60_000, interval: 500 }).toBe(survivor.id);
    const listed = (await (await api(survivor, `/api/v1/alarms?unit=${unit}`)).json()) as { alarms: { id: string; state: string; acknowledgedBy?: string }[] };
    expect(listed.alarms.find((a) => a.id === alarmId)).toMatchObject({ state: "active_acknowledged", acknowledgedBy: "local-cluster-admin" });
  }, 120_000);

  it("a unit put into maintenance on its owner is still in maintenance on the survivor after the owner is killed: its alarm stays suppressed", async () => {
    const survivor = cluster().nodes.find((n) => n.running) as LocalNode;
    // A second node again; some units move to it (handed off by the survivor, with a snapshot from before the action).
    const joined = await cluster().addNode();
    let unit: string | undefined;
    await expect
      .poll(
        async () => {
          const sent = new Map<string, number>();
          for (const u of UNITS.slice(2)) sent.set(u, await publish(u, 97));
          await new Promise((resolve) => setTimeout(resolve, 1_000));
          const outputs = await readOutputs(cluster().nats.urls);
          unit = [...sent].find(([u, at]) => outputs.some((o) => o.unit === u && o.ts === at && o.node === joined.id))?.[0];
          return unit;
        },
        { timeout: 90_000, interval: 1_000 },
      )
      .toBeDefined();
    const target = unit as string;
    const res = await fetch(`${joined.httpUrl}/api/v1/units/${target}/maintenance`, {
      method: "PUT",
      headers: { "x-api-key": LOCAL_CLUSTER_API_KEY, "content-type": "application/json" },
      body: JSON.stringify({ on: true }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ unit: target, status: "maintenance" });
    await joined.kill();

    const after = await publish(target, 98);
    await expect.poll(async () => (await readOutputs(cluster().nats.urls)).find((o) => o.unit === target && o.ts === after)?.node, { timeout: 60_000, interval: 500 }).toBe(survivor.id);
    const listed = (await (await api(survivor, `/api/v1/alarms?unit=${target}`)).json()) as { alarms: { id: string; state: string }[] };
    expect(listed.alarms.find((a) => a.id === alarmIdOf(target))?.state).toBe("suppressed");
  }, 180_000);
});
