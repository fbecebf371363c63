/**
 * Devices through the control API of a real node: admins register and
 * remove, viewers read, and the registry survives a node restart (the same
 * devices file, written atomically).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { specifyGate } from "./gate.js";
import { codeOf, startApiRig, type ApiRig } from "./rig.js";

const MAX_BODY_BYTES = 16 * 1024;
const dir = mkdtempSync(join(tmpdir(), "vigil-devices-"));
const env = { VIGIL_HTTP_DEVICES_FILE: join(dir, "devices", "devices.json") };
const PV = { id: "PV001", type: "solar", location: "roof A", capacityKw: 250, topic: "solar/PV001/data" };
let rig: ApiRig;

beforeAll(async () => {
  rig = await startApiRig({ env, http: { maxBodyBytes: MAX_BODY_BYTES } });
});

afterAll(async () => {
  await rig?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("the gate", () => {
  specifyGate(
    () => rig,
    [
      { method: "GET", path: "/api/v1/devices", role: "viewer" },
      { method: "GET", path: "/api/v1/devices/PV001", role: "viewer" },
      { method: "POST", path: "/api/v1/devices", role: "admin", malformed: { ...PV, capacityKw: "lots" } },
      { method: "DELETE", path: "/api/v1/devices/NOPE", role: "admin" },
    ],
    MAX_BODY_BYTES,
  );
});

describe("devices", () => {
  it("registers a device (201), then gets and lists it", async () => {
    const res = await rig.call("/api/v1/devices", { method: "POST", as: "admin", json: PV });
    expect(res.status).toBe(201);
    expect(await (await rig.call("/api/v1/devices/PV001", { as: "viewer" })).json()).toEqual(PV);
    expect(await (await rig.call("/api/v1/devices", { as: "viewer" })).json()).toEqual({ devices: [PV] });
  });

  it("answers 409 VIGIL_DEVICE_EXISTS for an id that is taken", async () => {
    const res = await rig.call("/api/v1/devices", { method: "POST", as: "admin", json: PV });
    expect(res.status).toBe(409);
    expect(await codeOf(res)).toBe("VIGIL_DEVICE_EXISTS");
  });

  it("answers 400 naming the field for a topic with a wildcard", async () => {
    const res = await rig.call("/api/v1/devices", { method: "POST", as: "admin", json: { ...PV, id: "PV009", topic: "solar/+/data" } });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: "VIGIL_API_BAD_REQUEST", message: expect.stringContaining("json.topic") as string } });
  });

  it("keeps the devices across a node restart, and removes one for good", async () => {
    await rig.call("/api/v1/devices", { method: "POST", as: "admin", json: { ...PV, id: "PV002" } });
    await rig.stop();
    rig = await startApiRig({ env, http: { maxBodyBytes: MAX_BODY_BYTES } });
    const { devices } = (await (await rig.call("/api/v1/devices", { as: "viewer" })).json()) as { devices: { id: string }[] };
    expect(devices.map((d) => d.id)).toEqual(["PV001", "PV002"]);
    expect((await rig.call("/api/v1/devices/PV001", { method: "DELETE", as: "admin" })).status).toBe(204);
    await rig.stop();
    rig = await startApiRig({ env, http: { maxBodyBytes: MAX_BODY_BYTES } });
    const res = await rig.call("/api/v1/devices/PV001", { as: "viewer" });
    expect(res.status).toBe(404);
    expect(await codeOf(res)).toBe("VIGIL_DEVICE_NOT_FOUND");
  });
});
