/**
 * Units and sensors through the control API of a real node: readings go in
 * through the node's gateway, the unit and sensor routes show what the
 * pipeline made of them, history comes from the node's store, and
 * maintenance mode is a command to the unit actor.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { until } from "../fixtures/until.js";
import { codeOf, startApiRig, type ApiRig } from "./rig.js";

let rig: ApiRig;
const T0 = Date.now() - 60_000;

beforeAll(async () => {
  rig = await startApiRig();
  const readings = [];
  for (let i = 0; i < 20; i++) {
    readings.push({ unit: "PUMP01", sensor: "temperature", value: 60 + (i % 3), timestamp: new Date(T0 + i * 1000).toISOString() });
    readings.push({ unit: "PUMP01", sensor: "pressure", value: 4 + (i % 2) / 10, timestamp: new Date(T0 + i * 1000).toISOString() });
  }
  readings.push({ unit: "PUMP02", sensor: "temperature", value: 55, timestamp: new Date(T0).toISOString() });
  const result = await rig.node.gateway.submitMany(readings, "nats");
  expect(result.accepted).toBe(readings.length);
  await until(async () => ((await (await rig.call("/api/v1/units/PUMP01/sensors/temperature", { as: "viewer" })).json()) as { ts?: number }).ts === T0 + 19_000, "PUMP01's last temperature");
  await until(async () => (await rig.call("/api/v1/units/PUMP02", { as: "viewer" })).status === 200, "PUMP02's state");
});

afterAll(async () => {
  await rig?.stop();
});

describe("GET /api/v1/units", () => {
  it("lists every unit that has reported, by id, with its state", async () => {
    const res = await rig.call("/api/v1/units", { as: "viewer" });
    expect(res.status).toBe(200);
    const { units } = (await res.json()) as { units: { unit: string; status: string }[] };
    expect(units.map((u) => u.unit)).toEqual(["PUMP01", "PUMP02"]);
    expect(units[0]!.status).toBe("online");
  });

  it("needs a key", async () => {
    const res = await rig.call("/api/v1/units");
    expect(res.status).toBe(401);
    expect(await codeOf(res)).toBe("VIGIL_API_UNAUTHORIZED");
  });
});

describe("GET /api/v1/units/{unit}", () => {
  it("answers a unit's state with its sensors' latest processed readings", async () => {
    const body = (await (await rig.call("/api/v1/units/PUMP01", { as: "viewer" })).json()) as { unit: string; latest: { sensor: string; value: number; ts: number }[] };
    expect(body.unit).toBe("PUMP01");
    expect(body.latest.map((r) => [r.sensor, r.ts])).toEqual([
      ["pressure", T0 + 19_000],
      ["temperature", T0 + 19_000],
    ]);
  });

  it("answers 404 with VIGIL_UNIT_NOT_FOUND for a unit that never reported", async () => {
    const res = await rig.call("/api/v1/units/NOPE01", { as: "viewer" });
    expect(res.status).toBe(404);
    expect(await codeOf(res)).toBe("VIGIL_UNIT_NOT_FOUND");
  });

  it("answers 400 for a unit id that no reading could have", async () => {
    const res = await rig.call("/api/v1/units/bad.id", { as: "viewer" });
    expect(res.status).toBe(400);
    expect(await codeOf(res)).toBe("VIGIL_API_BAD_REQUEST");
  });

  it("answers its status on /status", async () => {
    const body = (await (await rig.call("/api/v1/units/PUMP02/status", { as: "viewer" })).json()) as Record<string, unknown>;
    expect(body).toMatchObject({ unit: "PUMP02", status: "online" });
    expect(Object.keys(body).sort()).toEqual(["category", "health", "operationalState", "severity", "status", "unit", "updatedAt"]);
  });
});

describe("sensors", () => {
  it("lists the latest processed reading of each sensor of a unit", async () => {
    const { sensors } = (await (await rig.call("/api/v1/units/PUMP01/sensors", { as: "viewer" })).json()) as { sensors: { sensor: string; value: number; anomaly: boolean }[] };
    expect(sensors.map((s) => s.sensor)).toEqual(["pressure", "temperature"]);
    expect(sensors[1]).toMatchObject({ value: 61, anomaly: expect.any(Boolean) as boolean });
  });

  it("answers 404 with VIGIL_SENSOR_NOT_FOUND for a sensor with no reading", async () => {
    const res = await rig.call("/api/v1/units/PUMP01/sensors/vibration", { as: "viewer" });
    expect(res.status).toBe(404);
    expect(await codeOf(res)).toBe("VIGIL_SENSOR_NOT_FOUND");
  });
});

describe("sensor history", () => {
  it("answers raw readings in a range from the history store, oldest first", async () => {
    await rig.node.history!.writer.flush();
    const res = await rig.call(`/api/v1/units/PUMP01/sensors/temperature/history?from=${T0}&to=${T0 + 5_000}`, { as: "viewer" });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { bucketMs: null; readings: { ts: number; value: number }[] };
    expect(body.bucketMs).toBeNull();
    expect(body.readings.map((r) => r.ts)).toEqual([T0, T0 + 1000, T0 + 2000, T0 + 3000, T0 + 4000]);
    expect(body.readings.map((r) => r.value)).toEqual([60, 61, 62, 60, 61]);
  });

  it("downsamples into buckets of bucketMs", async () => {
    await rig.node.history!.writer.flush();
    const from = Math.floor(T0 / 10_000) * 10_000;
    const res = await rig.call(`/api/v1/units/PUMP01/sensors/temperature/history?from=${from}&to=${from + 40_000}&bucketMs=10000`, { as: "viewer" });
    const body = (await res.json()) as { buckets: { bucket: number; count: number; min: number; max: number }[] };
    expect(body.buckets.reduce((n, b) => n + b.count, 0)).toBe(20);
    expect(body.buckets.every((b) => b.bucket % 10_000 === 0 && b.min >= 60 && b.max <= 62)).toBe(true);
  });

  it("answers 400 naming the field for a range that ends before it starts", async () => {
    const res = await rig.call(`/api/v1/units/PUMP01/sensors/temperature/history?from=${T0}&to=${T0 - 1}`, { as: "viewer" });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: "VIGIL_API_BAD_REQUEST", message: expect.stringContaining("query.from") as string } });
  });

  it("answers 400 for a bucket under a second", async () => {
    const res = await rig.call(`/api/v1/units/PUMP01/sensors/temperature/history?bucketMs=10`, { as: "viewer" });
    expect(res.status).toBe(400);
  });
});

describe("PUT /api/v1/units/{unit}/maintenance", () => {
  it("puts a unit into maintenance and out again, as the unit routes then show", async () => {
    const on = await rig.call("/api/v1/units/PUMP02/maintenance", { method: "PUT", as: "operator", json: { on: true } });
    expect(on.status).toBe(200);
    expect(await on.json()).toMatchObject({ unit: "PUMP02", status: "maintenance" });
    await until(async () => ((await (await rig.call("/api/v1/units/PUMP02/status", { as: "viewer" })).json()) as { status: string }).status === "maintenance", "the published maintenance status");
    const off = await rig.call("/api/v1/units/PUMP02/maintenance", { method: "PUT", as: "operator", json: { on: false } });
    expect(await off.json()).toMatchObject({ status: "online" });
  });

  it("is refused to a viewer with 403", async () => {
    const res = await rig.call("/api/v1/units/PUMP02/maintenance", { method: "PUT", as: "viewer", json: { on: true } });
    expect(res.status).toBe(403);
    expect(await codeOf(res)).toBe("VIGIL_API_FORBIDDEN");
  });

  it("answers 400 for a body without a boolean `on`", async () => {
    const res = await rig.call("/api/v1/units/PUMP02/maintenance", { method: "PUT", as: "operator", json: { on: "yes" } });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: "VIGIL_API_BAD_REQUEST", message: expect.stringContaining("json.on") as string } });
  });

  it("answers 413 for a body over the limit", async () => {
    const res = await rig.call("/api/v1/units/PUMP02/maintenance", { method: "PUT", as: "operator", json: { on: true, pad: "x".repeat(2 * 1024 * 1024) } });
    expect(res.status).toBe(413);
    expect(await codeOf(res)).toBe("VIGIL_API_PAYLOAD_TOO_LARGE");
  });

  it("answers 404 for a unit that never reported, without starting an actor for it", async () => {
    const res = await rig.call("/api/v1/units/GHOST1/maintenance", { method: "PUT", as: "operator", json: { on: true } });
    expect(res.status).toBe(404);
  });

  it("is audited with the caller's key", async () => {
    await rig.call("/api/v1/units/PUMP02/maintenance", { method: "PUT", as: "operator", json: { on: false } });
    const { entries } = (await (await rig.call("/api/v1/audit?limit=1", { as: "admin" })).json()) as { entries: { who: string; path: string; result: string }[] };
    expect(entries[0]).toMatchObject({ who: "operator-key", path: "/api/v1/units/PUMP02/maintenance", result: "ok" });
  });
});
