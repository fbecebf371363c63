/**
 * The simulator area against a real node whose simulator feeds its own
 * gateway: status, start and stop, scenarios injected, listed and ended,
 * each control action audited; and a node fed by a real plant refusing it all.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeOf, startApiRig, type ApiRig } from "./rig.js";
import { specifyGate } from "./gate.js";

const MAX_BODY = 4 * 1024;
let rig: ApiRig;

beforeAll(async () => {
  rig = await startApiRig({
    env: { VIGIL_SIMULATOR_ENABLED: "true", VIGIL_SIMULATOR_UNITS: "2", VIGIL_SIMULATOR_SCENARIO_EVERY_MS: "0", VIGIL_SIMULATOR_PUBLISHERS: "gateway" },
    http: { maxBodyBytes: MAX_BODY, rateLimit: { perSecond: 0, burst: 1 } },
  });
});

afterAll(async () => {
  await rig?.stop();
});

interface Scenario {
  id: string;
  unit: string;
  kind: string;
  sensors: string[];
  startedAt: number;
  endsAt: number;
}

describe("the gate", () => {
  specifyGate(
    () => rig,
    [
      { method: "GET", path: "/api/v1/simulator", role: "viewer" },
      { method: "POST", path: "/api/v1/simulator/start", role: "operator" },
      { method: "POST", path: "/api/v1/simulator/stop", role: "operator" },
      { method: "GET", path: "/api/v1/simulator/scenarios", role: "viewer" },
      { method: "POST", path: "/api/v1/simulator/scenarios", role: "operator", malformed: { unit: "UNIT001", kind: "meteor_strike", durationMs: 1000 } },
      { method: "DELETE", path: "/api/v1/simulator/scenarios/sc-none", role: "operator" },
      { method: "DELETE", path: "/api/v1/simulator/scenarios?unit=UNIT001", role: "operator" },
    ],
    MAX_BODY,
  );
});

describe("status, start and stop", () => {
  it("reports the running simulator's mode, units and publishers", async () => {
    const res = await rig.call("/api/v1/simulator", { as: "viewer" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ running: true, mode: "plant", units: 2, publishers: [{ name: "gateway" }] });
  });

  it("stops and starts again on an operator's word", async () => {
    const stopped = await rig.call("/api/v1/simulator/stop", { method: "POST", as: "operator" });
    expect(await stopped.json()).toMatchObject({ running: false });
    expect(await (await rig.call("/api/v1/simulator", { as: "viewer" })).json()).toMatchObject({ running: false });
    const started = await rig.call("/api/v1/simulator/start", { method: "POST", as: "operator" });
    expect(started.status).toBe(200);
    expect(await started.json()).toMatchObject({ running: true });
  });
});

describe("scenarios", () => {
  it("injects a scenario and lists it as active", async () => {
    const res = await rig.call("/api/v1/simulator/scenarios", { method: "POST", as: "operator", json: { unit: "UNIT002", kind: "high_temperature", durationMs: 600_000 } });
    expect(res.status).toBe(201);
    const scenario = (await res.json()) as Scenario;
    expect(scenario).toMatchObject({ unit: "UNIT002", kind: "high_temperature", sensors: ["temperature"] });
    expect(scenario.endsAt - scenario.startedAt).toBe(600_000);
    const { scenarios } = (await (await rig.call("/api/v1/simulator/scenarios", { as: "viewer" })).json()) as { scenarios: Scenario[] };
    expect(scenarios.map((s) => s.id)).toContain(scenario.id);
  });

  it("ends a scenario by id, then no longer finds it", async () => {
    const injected = (await (await rig.call("/api/v1/simulator/scenarios", { method: "POST", as: "operator", json: { unit: "UNIT001", kind: "sensor_stuck", sensor: "pressure", durationMs: 600_000 } })).json()) as Scenario;
    const ended = await rig.call(`/api/v1/simulator/scenarios/${injected.id}`, { method: "DELETE", as: "operator" });
    expect(await ended.json()).toEqual({ cleared: 1 });
    const { scenarios } = (await (await rig.call("/api/v1/simulator/scenarios", { as: "viewer" })).json()) as { scenarios: Scenario[] };
    expect(scenarios.map((s) => s.id)).not.toContain(injected.id);
    const again = await rig.call(`/api/v1/simulator/scenarios/${injected.id}`, { method: "DELETE", as: "operator" });
    expect(again.status).toBe(404);
    expect(await codeOf(again)).toBe("VIGIL_API_NOT_FOUND");
  });

  it("ends a unit's scenarios of one kind, leaving the others", async () => {
    await rig.call("/api/v1/simulator/scenarios", { method: "POST", as: "operator", json: { unit: "UNIT001", kind: "pressure_drop", durationMs: 600_000 } });
    await rig.call("/api/v1/simulator/scenarios", { method: "POST", as: "operator", json: { unit: "UNIT001", kind: "degradation", durationMs: 600_000 } });
    const res = await rig.call("/api/v1/simulator/scenarios?unit=UNIT001&kind=pressure_drop", { method: "DELETE", as: "operator" });
    expect(await res.json()).toEqual({ cleared: 1 });
    const { scenarios } = (await (await rig.call("/api/v1/simulator/scenarios", { as: "viewer" })).json()) as { scenarios: Scenario[] };
    const unit1 = scenarios.filter((s) => s.unit === "UNIT001").map((s) => s.kind);
    expect(unit1).toContain("degradation");
    expect(unit1).not.toContain("pressure_drop");
  });

  it("answers a scenario for a unit the plant does not have with 404", async () => {
    const res = await rig.call("/api/v1/simulator/scenarios", { method: "POST", as: "operator", json: { unit: "UNIT999", kind: "high_temperature", durationMs: 1000 } });
    expect(res.status).toBe(404);
    expect(await codeOf(res)).toBe("VIGIL_SIMULATOR_UNKNOWN_UNIT");
  });

  it("answers a scenario with a field the schema does not know with 400 naming it", async () => {
    const res = await rig.call("/api/v1/simulator/scenarios", { method: "POST", as: "operator", json: { unit: "UNIT001", kind: "high_temperature", durationMs: 1000, colour: "red" } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain("colour");
  });

  it("audits an injection with the operator's key and the result", async () => {
    await rig.call("/api/v1/simulator/scenarios", { method: "POST", as: "operator", json: { unit: "UNIT002", kind: "bad_quality", durationMs: 60_000 } });
    const { entries } = (await (await rig.call("/api/v1/audit?limit=1", { as: "admin" })).json()) as { entries: unknown[] };
    expect(entries[0]).toMatchObject({ who: "operator-key", method: "POST", path: "/api/v1/simulator/scenarios", status: 201, result: "ok" });
  });
});

describe("the OpenAPI document", () => {
  it("describes the simulator routes with the scenario's schema", async () => {
    const doc = (await (await rig.call("/api/v1/openapi.json")).json()) as { paths: Record<string, unknown>; components: { schemas: Record<string, { properties?: Record<string, unknown> }> } };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/api/v1/simulator", "/api/v1/simulator/scenarios", "/api/v1/simulator/scenarios/{id}"]));
    expect(Object.keys(doc.components.schemas["ScenarioRequest"]!.properties!)).toEqual(expect.arrayContaining(["unit", "kind", "durationMs", "sensor", "magnitude"]));
  });
});

describe("on a node fed by a real plant", () => {
  it("refuses every simulator route with 409", async () => {
    const plain = await startApiRig();
    try {
      for (const [method, path] of [["GET", "/api/v1/simulator"], ["POST", "/api/v1/simulator/start"]] as const) {
        const res = await plain.call(path, { method, as: "operator" });
        expect(res.status).toBe(409);
        expect(await codeOf(res)).toBe("VIGIL_SIMULATOR_DISABLED");
      }
    } finally {
      await plain.stop();
    }
  });
});
