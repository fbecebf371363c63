/**
 * The models area against a real node on a filesystem registry holding two
 * real versions of a model (v1 in Production, v2 in Staging): listing with
 * metrics, one version, promote and roll back audited under the caller's
 * key, training on demand and the trainers' status, the drift check.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FsModelRegistry } from "../../src/ml/index.js";
import { newVersion } from "../ml/registry/registry.case.js";
import { specifyGate } from "./gate.js";
import { codeOf, startApiRig, type ApiRig } from "./rig.js";

const MAX_BODY = 4 * 1024;
const BY = { who: "spec", why: "fixture" };
let rig: ApiRig;
let root: string;

interface Version {
  model: string;
  version: number;
  stage: string;
  metrics: Record<string, number>;
  features: string[];
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "vigil-api-models-"));
  const registry = new FsModelRegistry({ root });
  const v1 = await registry.register(newVersion("rul", 1), BY);
  await registry.transition("rul", v1.version, "Staging", BY);
  await registry.transition("rul", v1.version, "Production", BY);
  const v2 = await registry.register(newVersion("rul", 2), BY);
  await registry.transition("rul", v2.version, "Staging", BY);
  rig = await startApiRig({
    env: { VIGIL_MODELS_REGISTRY_FS_ROOT: root, VIGIL_TRAINING_KINDS: "unit_rul" },
    http: { maxBodyBytes: MAX_BODY, rateLimit: { perSecond: 0, burst: 1 } },
  });
}, 60_000);

afterAll(async () => {
  await rig?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe("the gate", () => {
  specifyGate(
    () => rig,
    [
      { method: "GET", path: "/api/v1/models", role: "viewer" },
      { method: "GET", path: "/api/v1/models/audit", role: "viewer" },
      { method: "GET", path: "/api/v1/models/rul/versions/1", role: "viewer" },
      { method: "POST", path: "/api/v1/models/rul/versions/2/promote", role: "admin", malformed: { why: 42 } },
      { method: "POST", path: "/api/v1/models/rul/rollback", role: "admin", malformed: { version: "one" } },
      { method: "GET", path: "/api/v1/models/training", role: "viewer" },
      { method: "POST", path: "/api/v1/models/training", role: "operator", malformed: { kind: "astrology" } },
      { method: "POST", path: "/api/v1/models/drift-check", role: "operator" },
    ],
    MAX_BODY,
  );
});

describe("versions", () => {
  it("lists every version with its stage, metrics and features", async () => {
    const res = await rig.call("/api/v1/models?model=rul", { as: "viewer" });
    expect(res.status).toBe(200);
    const { versions } = (await res.json()) as { versions: Version[] };
    expect(versions.map((v) => [v.version, v.stage])).toEqual([
      [1, "Production"],
      [2, "Staging"],
    ]);
    expect(versions[0]!.metrics).toMatchObject({ rmse: 1.5, mae: 1.1 });
    expect(versions[0]!.features.length).toBeGreaterThan(0);
  });

  it("reports the models subsystem on /health with each model's Production version", async () => {
    const body = (await (await rig.call("/api/v1/health/detailed", { as: "viewer" })).json()) as { subsystems: Record<string, unknown> };
    expect(body.subsystems["models"]).toMatchObject({ status: "ok", detail: { production: expect.objectContaining({ rul: 1 }) as unknown, trainers: [{ kind: "unit_rul", state: "idle", failed: false }] } });
  });

  it("answers one version, and 404 for a version the model does not have", async () => {
    expect(await (await rig.call("/api/v1/models/rul/versions/2", { as: "viewer" })).json()).toMatchObject({ model: "rul", version: 2, stage: "Staging" });
    const missing = await rig.call("/api/v1/models/rul/versions/9", { as: "viewer" });
    expect(missing.status).toBe(404);
    expect(await codeOf(missing)).toBe("VIGIL_MODEL_NOT_FOUND");
  });
});

describe("promote and roll back", () => {
  it("promotes v2, rolls back to v1, and refuses to promote what is in Production already; the registry audits each under the admin's key", async () => {
    const promoted = await rig.call("/api/v1/models/rul/versions/2/promote", { method: "POST", as: "admin", json: { why: "better rmse" } });
    expect(promoted.status).toBe(200);
    expect(await promoted.json()).toMatchObject({ version: 2, stage: "Production" });

    const again = await rig.call("/api/v1/models/rul/versions/2/promote", { method: "POST", as: "admin", json: {} });
    expect(again.status).toBe(409);
    expect(await codeOf(again)).toBe("VIGIL_MODEL_TRANSITION_INVALID");

    const back = await rig.call("/api/v1/models/rul/rollback", { method: "POST", as: "admin", json: { version: 1, why: "v2 overestimates" } });
    expect(await back.json()).toMatchObject({ version: 1, stage: "Production" });
    const { versions } = (await (await rig.call("/api/v1/models?model=rul", { as: "viewer" })).json()) as { versions: Version[] };
    expect(versions.map((v) => v.stage)).toEqual(["Production", "Archived"]);

    const { entries } = (await (await rig.call("/api/v1/models/audit?model=rul", { as: "viewer" })).json()) as { entries: { action: string; to: string; who: string; why: string; version: number }[] };
    // Each move on its own: the version archived by a promotion or rollback is audited too.
    expect(entries.filter((e) => e.who === "admin-key").map((e) => [e.version, e.action, e.to, e.why])).toEqual(
      expect.arrayContaining([
        [2, "transition", "Production", "better rmse"],
        [1, "rollback", "Production", "v2 overestimates"],
      ]),
    );
    expect(entries.filter((e) => e.to === "Production" && e.who !== "spec")).toHaveLength(2);
  });

  it("answers a model the registry does not know with 404", async () => {
    const res = await rig.call("/api/v1/models/nothing/rollback", { method: "POST", as: "admin", json: { version: 1 } });
    expect(res.status).toBe(404);
    expect(await codeOf(res)).toBe("VIGIL_MODEL_NOT_FOUND");
  });
});

describe("training", () => {
  it("starts a run on an operator's word and shows it in the trainer's status", async () => {
    const res = await rig.call("/api/v1/models/training", { method: "POST", as: "operator", json: { kind: "unit_rul" } });
    expect(res.status).toBe(202);
    const { jobId } = (await res.json()) as { jobId: string };
    // An empty history has nothing to train on: the run ends with its error in the status.
    await expect
      .poll(async () => {
        const { trainers } = (await (await rig.call("/api/v1/models/training", { as: "viewer" })).json()) as { trainers: { kind: string; jobId: string | null; lastResult: { jobId: string } | null; lastError: { jobId: string } | null }[] };
        const t = trainers.find((x) => x.kind === "unit_rul");
        return t?.jobId === jobId || t?.lastError?.jobId === jobId || t?.lastResult?.jobId === jobId;
      }, { timeout: 30_000 })
      .toBe(true);
  });

  it("answers a kind this node does not train with 409", async () => {
    const res = await rig.call("/api/v1/models/training", { method: "POST", as: "operator", json: { kind: "solar_forecast" } });
    expect(res.status).toBe(409);
    expect(await codeOf(res)).toBe("VIGIL_TRAINING_UNAVAILABLE");
  });

  it("runs the drift check on demand", async () => {
    const res = await rig.call("/api/v1/models/drift-check", { method: "POST", as: "operator" });
    expect(res.status).toBe(200);
    expect(Array.isArray(((await res.json()) as { findings: unknown[] }).findings)).toBe(true);
  });
});
