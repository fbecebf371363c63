/**
 * The contract every ModelRegistry backend meets: run by each backend's
 * spec with a factory for a fresh, empty registry, and, for a backend that
 * several nodes share, a factory for another instance (its own connection)
 * over the same storage.
 */
import { describe, expect, it, vi } from "vitest";
import { driftReference, exportOnnx, train, type AuditEntry, type ModelRegistry, type NewModelVersion } from "../../../src/ml/index.js";
import { FEATURES, syntheticTable, tableDataset } from "../synthetic.js";

const table = syntheticTable(300);
const BY = { who: "spec", why: "testing" };

/** A real, small, loadable model version to register. */
export function newVersion(model = "rul", seed = 1): NewModelVersion {
  const trained = train({ algorithm: "random_forest", task: "regression", data: tableDataset(table, table.regression), params: { trees: 3, maxDepth: 4 }, seed });
  return {
    model,
    algorithm: "random_forest",
    task: "regression",
    features: FEATURES,
    params: { trees: 3, maxDepth: 4 },
    metrics: { rmse: 1.5, mae: 1.1, mape: Number.NaN },
    trainingWindow: { from: Date.UTC(2024, 0, 1), to: Date.UTC(2024, 0, 8) },
    dataHash: "a".repeat(64),
    seed,
    onnx: exportOnnx(trained),
  };
}

/** Waits (without a deadline of its own) until `events` holds `count` entries. */
async function received(events: readonly AuditEntry[], count: number): Promise<void> {
  await vi.waitFor(() => expect(events.length).toBeGreaterThanOrEqual(count), { timeout: 15_000, interval: 10 });
}

async function staged(registry: ModelRegistry, seed: number): Promise<number> {
  const v = await registry.register(newVersion("rul", seed), BY);
  await registry.transition("rul", v.version, "Staging", BY);
  return v.version;
}

export function registryContract(name: string, fresh: () => Promise<ModelRegistry>, peerOf?: (registry: ModelRegistry) => Promise<ModelRegistry>): void {
  describe(`${name} model registry`, () => {
    it("reports every change to a watcher once it is durable, in the order made, as the audit has it", async () => {
      const registry = await fresh();
      const events: AuditEntry[] = [];
      const watch = registry.watch((e) => events.push(e));
      await watch.ready;
      const v1 = await staged(registry, 1);
      await registry.transition("rul", v1, "Production", { who: "alice", why: "approved" });
      const v2 = await staged(registry, 2);
      await registry.transition("rul", v2, "Production", { who: "alice", why: "better" });
      await received(events, 7);
      watch.stop();
      expect(events).toEqual(await registry.audit("rul"));
      expect(events.slice(-2).map((e) => [e.version, e.from, e.to])).toEqual([
        [1, "Production", "Archived"],
        [2, "Staging", "Production"],
      ]);
    });


    it("registers versions numbered from 1 in stage None, keeping metrics, params, features, window and hashes", async () => {
      const registry = await fresh();
      const v1 = await registry.register(newVersion(), BY);
      const v2 = await registry.register(newVersion("rul", 2), BY);
      expect([v1.version, v2.version]).toEqual([1, 2]);
      const got = await registry.get("rul", 1);
      expect(got).toEqual(v1);
      expect(got.stage).toBe("None");
      expect(got.features).toEqual(FEATURES);
      expect(got.metrics.rmse).toBe(1.5);
      expect(got.metrics.mape).toBeNaN();
      expect(got.trainingWindow).toEqual({ from: Date.UTC(2024, 0, 1), to: Date.UTC(2024, 0, 8) });
      expect(got.onnxSha256).toMatch(/^[0-9a-f]{64}$/);
      const loaded = await registry.load("rul", 2);
      expect(Buffer.from(loaded.onnx).equals(Buffer.from(newVersion("rul", 2).onnx))).toBe(true);
    });

    it("registers content once: the same ONNX bytes and data hash again answer the version already there, other content a new one", async () => {
      const registry = await fresh();
      const first = await registry.registerOnce(newVersion("rul", 1), BY);
      await registry.transition("rul", first.version.version, "Staging", BY);
      const again = await registry.registerOnce(newVersion("rul", 1), BY);
      const other = await registry.registerOnce(newVersion("rul", 2), BY);
      expect([first.registered, again.registered, other.registered]).toEqual([true, false, true]);
      expect([again.version.version, again.version.stage, other.version.version]).toEqual([1, "Staging", 2]);
      expect((await registry.audit("rul")).filter((e) => e.action === "register")).toHaveLength(2);
    });

    it("keeps one version in Production: promoting another archives it", async () => {
      const registry = await fresh();
      for (const seed of [1, 2]) {
        const v = await registry.register(newVersion("rul", seed), BY);
        await registry.transition("rul", v.version, "Staging", BY);
        await registry.transition("rul", v.version, "Production", BY);
      }
      expect((await registry.list("rul")).map((v) => v.stage)).toEqual(["Archived", "Production"]);
      expect((await registry.production("rul"))?.version).toBe(2);
    });

    it("refuses a move the stage machine does not allow, with VIGIL_MODEL_TRANSITION_INVALID", async () => {
      const registry = await fresh();
      await registry.register(newVersion(), BY);
      await expect(registry.transition("rul", 1, "Production", BY)).rejects.toMatchObject({ code: "VIGIL_MODEL_TRANSITION_INVALID" });
      expect((await registry.get("rul", 1)).stage).toBe("None");
    });

    it("rolls back to any earlier version, archiving the one in Production", async () => {
      const registry = await fresh();
      for (const seed of [1, 2, 3]) {
        const v = await registry.register(newVersion("rul", seed), BY);
        await registry.transition("rul", v.version, "Staging", BY);
        await registry.transition("rul", v.version, "Production", BY);
      }
      await registry.rollback("rul", 1, { who: "operator", why: "v3 drifts" });
      expect((await registry.list("rul")).map((v) => v.stage)).toEqual(["Production", "Archived", "Archived"]);
      await expect(registry.rollback("rul", 3, BY)).rejects.toMatchObject({ code: "VIGIL_MODEL_TRANSITION_INVALID" });
    });

    it("audits every change with who, why and when, in order", async () => {
      const registry = await fresh();
      await registry.register(newVersion(), { who: "trainer", why: "weekly run" });
      await registry.transition("rul", 1, "Staging", { who: "trainer", why: "better by 7%" });
      await registry.transition("rul", 1, "Production", { who: "alice", why: "approved" });
      const audit = await registry.audit("rul");
      expect(audit.map((a) => [a.action, a.from, a.to, a.who, a.why])).toEqual([
        ["register", null, "None", "trainer", "weekly run"],
        ["transition", "None", "Staging", "trainer", "better by 7%"],
        ["transition", "Staging", "Production", "alice", "approved"],
      ]);
      for (const a of audit) expect(Number.isFinite(a.ts)).toBe(true);
    });

    it("refuses a change without who or why", async () => {
      const registry = await fresh();
      await expect(registry.register(newVersion(), { who: "", why: "x" })).rejects.toMatchObject({ code: "VIGIL_MODEL_TRANSITION_INVALID" });
      expect(await registry.list("rul")).toEqual([]);
    });

    it("refuses bytes onnxruntime cannot load, with VIGIL_MODEL_CORRUPT, and stores nothing", async () => {
      const registry = await fresh();
      await expect(registry.register({ ...newVersion(), onnx: Uint8Array.of(8, 1, 2, 3) }, BY)).rejects.toMatchObject({ code: "VIGIL_MODEL_CORRUPT" });
      expect(await registry.list("rul")).toEqual([]);
    });

    it("refuses a model whose input width differs from its feature list, with VIGIL_MODEL_INCOMPATIBLE", async () => {
      const registry = await fresh();
      await expect(registry.register({ ...newVersion(), features: [...FEATURES, "extra"] }, BY)).rejects.toMatchObject({ code: "VIGIL_MODEL_INCOMPATIBLE" });
    });

    it("keeps a version's training distribution (per feature, bin edges and shares) in its manifest, for the drift check wherever the version goes", async () => {
      const registry = await fresh();
      const distribution = driftReference(FEATURES, table.x, table.rows);
      const v = await registry.register({ ...newVersion(), distribution: { edges: distribution.edges, shares: distribution.shares } }, BY);
      expect(v.distribution).toEqual({ edges: distribution.edges, shares: distribution.shares });
      expect((await registry.get("rul", v.version)).distribution).toEqual({ edges: distribution.edges, shares: distribution.shares });
      expect((await registry.load("rul", v.version)).manifest.distribution).toEqual({ edges: distribution.edges, shares: distribution.shares });
    });

    it("refuses a training distribution that does not fit the feature list, with VIGIL_MODEL_INCOMPATIBLE, and stores nothing", async () => {
      const registry = await fresh();
      await expect(registry.register({ ...newVersion(), distribution: { edges: [[0]], shares: [[0.5, 0.5]] } }, BY)).rejects.toMatchObject({ code: "VIGIL_MODEL_INCOMPATIBLE" });
      expect(await registry.list("rul")).toEqual([]);
    });

    it("answers VIGIL_MODEL_NOT_FOUND for a version that does not exist", async () => {
      const registry = await fresh();
      await expect(registry.get("rul", 7)).rejects.toMatchObject({ code: "VIGIL_MODEL_NOT_FOUND" });
    });
  });

  if (peerOf === undefined) return;

  describe(`${name} model registry shared by several nodes`, () => {
    it("reports a change made through one instance to a watcher on another", async () => {
      const a = await fresh();
      const b = await peerOf(a);
      const events: AuditEntry[] = [];
      const watch = b.watch((e) => events.push(e));
      await watch.ready;
      const v = await staged(a, 1);
      await a.transition("rul", v, "Production", { who: "node-a", why: "promoted on A" });
      await received(events, 3);
      watch.stop();
      expect(events.map((e) => [e.action, e.to, e.who])).toEqual([
        ["register", "None", "spec"],
        ["transition", "Staging", "spec"],
        ["transition", "Production", "node-a"],
      ]);
      expect((await b.production("rul"))?.version).toBe(v);
    });

    it("leaves exactly one version in Production when two instances promote different versions at once", async () => {
      const a = await fresh();
      const b = await peerOf(a);
      const [v1, v2] = [await staged(a, 1), await staged(b, 2)];
      await Promise.all([a.transition("rul", v1, "Production", { who: "node-a", why: "race" }), b.transition("rul", v2, "Production", { who: "node-b", why: "race" })]);
      const stages = (await a.list("rul")).map((v) => v.stage).sort();
      expect(stages).toEqual(["Archived", "Production"]);
      // The one promoted second archived the first, and the audit says so in that order.
      const audit = (await b.audit("rul")).slice(-3);
      const [first, archived, second] = audit;
      expect(first?.to).toBe("Production");
      expect([archived?.version, archived?.from, archived?.to]).toEqual([first?.version, "Production", "Archived"]);
      expect(second?.to).toBe("Production");
      expect((await b.production("rul"))?.version).toBe(second?.version);
    });

    it("lets only one of two instances promoting the same version at once succeed; the other is refused and nothing is audited twice", async () => {
      const a = await fresh();
      const b = await peerOf(a);
      const v = await staged(a, 1);
      const results = await Promise.allSettled([a.transition("rul", v, "Production", BY), b.transition("rul", v, "Production", BY)]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const refused = results.find((r) => r.status === "rejected");
      expect(refused?.reason).toMatchObject({ code: "VIGIL_MODEL_TRANSITION_INVALID" });
      expect((await a.audit("rul")).filter((e) => e.to === "Production")).toHaveLength(1);
    });

    it("registers content once when two instances register it at once: one call registers, the other answers that version", async () => {
      const a = await fresh();
      const b = await peerOf(a);
      const results = await Promise.all([a.registerOnce(newVersion("rul", 1), BY), b.registerOnce(newVersion("rul", 1), BY)]);
      expect(results.map((r) => r.registered).sort()).toEqual([false, true]);
      // Either claim may land first, so the number is 1 or 2; one version is listed either way.
      const listed = (await b.list("rul")).map((v) => v.version);
      expect(listed).toHaveLength(1);
      expect(results.map((r) => r.version.version)).toEqual([listed[0], listed[0]]);
      expect((await a.audit("rul")).filter((e) => e.action === "register")).toHaveLength(1);
    });

    it("gives versions registered at once through two instances distinct numbers", async () => {
      const a = await fresh();
      const b = await peerOf(a);
      const registered = await Promise.all([a.register(newVersion("rul", 1), BY), b.register(newVersion("rul", 2), BY), a.register(newVersion("rul", 3), BY)]);
      expect(registered.map((v) => v.version).sort()).toEqual([1, 2, 3]);
      const listed = await b.list("rul");
      expect(listed.map((v) => [v.version, v.seed])).toEqual(registered.map((v) => [v.version, v.seed]).sort((x, y) => (x[0] ?? 0) - (y[0] ?? 0)));
    });
  });
}
