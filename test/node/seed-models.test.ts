/**
 * Seeding the registry from the baselines at every start, so a Vigil upgrade's
 * new baselines replace the old ones — but never a model the user trained or
 * promoted. Against both real backends: the filesystem, and JetStream on a
 * real nats-server (two connections standing for two nodes).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FsModelRegistry, JetStreamModelRegistry, type ModelRegistry } from "../../src/ml/index.js";
import { seedRegistry } from "../../src/node/seed-models.js";
import { silentLog } from "../fixtures/actor-system.js";
import { startNats, stopAllServers } from "../harness/servers.js";
import { newVersion } from "../ml/registry/registry.case.js";

const MODEL = "anomaly.temperature";
const SHIPPED = "baseline shipped with vigil 9.9.9";
const dirs: string[] = [];
let nodeA: NatsConnection;
let nodeB: NatsConnection;
let buckets = 0;

beforeAll(async () => {
  const server = await startNats();
  nodeA = await connect({ servers: server.url, name: "seed-node-a" });
  nodeB = await connect({ servers: server.url, name: "seed-node-b" });
});

afterAll(async () => {
  await nodeA.close();
  await nodeB.close();
  await stopAllServers();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "vigil-seed-models-"));
  dirs.push(dir);
  return dir;
}

/** Registers the model trained with `seed` and promotes it to Production, every change by `by`. */
async function inProduction(registry: ModelRegistry, seed: number, by: { who: string; why: string }): Promise<void> {
  const v = await registry.register(newVersion(MODEL, seed), by);
  await registry.transition(MODEL, v.version, "Staging", by);
  await registry.transition(MODEL, v.version, "Production", by);
}

/** A models/ directory whose one baseline (in Production, as shipped) is the model trained with `seed`. */
async function baselines(seed: number): Promise<string> {
  const dir = tempDir();
  await inProduction(new FsModelRegistry({ root: dir }), seed, { who: "spec", why: "shipping" });
  return dir;
}

const seed = (registry: ModelRegistry, dir: string) => seedRegistry(registry, dir, silentLog, "9.9.9");
const stages = async (registry: ModelRegistry) => (await registry.list(MODEL)).map((v) => [v.version, v.seed, v.stage]);

const backends: [string, () => Promise<ModelRegistry>][] = [
  ["filesystem", () => Promise.resolve(new FsModelRegistry({ root: tempDir() }))],
  ["JetStream", async () => JetStreamModelRegistry.open({ nats: nodeA, bucket: `seed-${++buckets}` })],
];

describe.each(backends)("seeding a %s registry from the baselines at start", (_name, fresh) => {
  it("moves Production from baseline A to a newly shipped baseline B and archives A, audited who system/seed why the Vigil version", async () => {
    const registry = await fresh();
    await seed(registry, await baselines(1));
    const seeded = await seed(registry, await baselines(2));
    expect(seeded.map((v) => [v.version, v.stage])).toEqual([[2, "Production"]]);
    expect(await stages(registry)).toEqual([
      [1, 1, "Archived"],
      [2, 2, "Production"],
    ]);
    const audit = (await registry.audit(MODEL)).filter((e) => e.version === 2 || e.to === "Archived");
    expect(audit.map((e) => [e.version, e.to, e.who, e.why]).sort()).toEqual([
      [1, "Archived", "system/seed", `replaced by v2: ${SHIPPED}`],
      [2, "None", "system/seed", SHIPPED],
      [2, "Production", "system/seed", SHIPPED],
      [2, "Staging", "system/seed", SHIPPED],
    ]);
  });

  it("keeps a Production version the user trained and registers baseline B in Staging, the reason in its audit", async () => {
    const registry = await fresh();
    await seed(registry, await baselines(1));
    await inProduction(registry, 7, { who: "trainer/anomaly", why: "scheduled training" });
    await seed(registry, await baselines(2));
    expect(await stages(registry)).toEqual([
      [1, 1, "Archived"],
      [2, 7, "Production"],
      [3, 2, "Staging"],
    ]);
    const staged = (await registry.audit(MODEL)).find((e) => e.version === 3 && e.to === "Staging");
    expect(staged?.why).toBe(`${SHIPPED}; not promoted: Production v2 was registered by trainer/anomaly, not a baseline`);
  });

  it("keeps a baseline the user put back in Production themselves, registering baseline B in Staging", async () => {
    const registry = await fresh();
    await seed(registry, await baselines(1));
    await seed(registry, await baselines(2));
    await registry.rollback(MODEL, 1, { who: "ann", why: "v2 flags too much" });
    await seed(registry, await baselines(3));
    expect(await stages(registry)).toEqual([
      [1, 1, "Production"],
      [2, 2, "Archived"],
      [3, 3, "Staging"],
    ]);
    const staged = (await registry.audit(MODEL)).find((e) => e.version === 3 && e.to === "Staging");
    expect(staged?.why).toBe(`${SHIPPED}; not promoted: Production v1 was put there by ann`);
  });

  it("adds nothing when restarted with the baselines it already holds", async () => {
    const registry = await fresh();
    const dir = await baselines(1);
    await seed(registry, dir);
    const audit = await registry.audit(MODEL);
    expect(await seed(registry, dir)).toEqual([]);
    expect(await registry.audit(MODEL)).toEqual(audit);
    expect(await stages(registry)).toEqual([[1, 1, "Production"]]);
  });
});

describe("seeding after an upgrade from a Vigil that seeded as who vigil", () => {
  it("replaces the Production baseline an earlier Vigil seeded", async () => {
    const registry = new FsModelRegistry({ root: tempDir() });
    await inProduction(registry, 1, { who: "vigil", why: "baseline from models/" });
    await seed(registry, await baselines(2));
    expect(await stages(registry)).toEqual([
      [1, 1, "Archived"],
      [2, 2, "Production"],
    ]);
  });
});

describe("two nodes seeding one JetStream registry at once", () => {
  it("register baseline B once, promote it once and archive A once", async () => {
    const bucket = `seed-${++buckets}`;
    const a = await JetStreamModelRegistry.open({ nats: nodeA, bucket });
    const b = await JetStreamModelRegistry.open({ nats: nodeB, bucket });
    await seed(a, await baselines(1));
    const shipped = await baselines(2);
    const seeded = await Promise.all([seed(a, shipped), seed(b, shipped)]);
    expect(seeded.flat().map((v) => [v.seed, v.stage])).toEqual([[2, "Production"]]);
    // The node whose register landed first may have claimed v2 or v3: compare by seed.
    expect((await b.list(MODEL)).map((v) => [v.seed, v.stage])).toEqual([
      [1, "Archived"],
      [2, "Production"],
    ]);
    const audit = await a.audit(MODEL);
    expect(audit.filter((e) => e.action === "register")).toHaveLength(2);
    expect(audit.filter((e) => e.to === "Archived")).toHaveLength(1);
  });
});
