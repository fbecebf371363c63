/**
 * POST /api/v1/ingest, the node's HTTP ingest path, on a real node over
 * real HTTP: readings posted come out processed (as the unit routes show),
 * bad ones are answered by index and counted by reason with source http,
 * and a body that is not a batch, or too large, is refused and counted.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { until } from "../fixtures/until.js";
import { specifyGate } from "./gate.js";
import { codeOf, startApiRig, type ApiRig } from "./rig.js";

const MAX_BODY_BYTES = 16 * 1024;
let rig: ApiRig;

beforeAll(async () => {
  rig = await startApiRig({ http: { maxBodyBytes: MAX_BODY_BYTES } });
});

afterAll(async () => {
  await rig?.stop();
});

function rejected(reason: string): number {
  return rig.node.gateway.counters.snapshot().rejected.http?.[reason as "malformed_payload"] ?? 0;
}

function post(body: unknown, as: "operator" | "viewer" = "operator"): Promise<Response> {
  return rig.call("/api/v1/ingest", { method: "POST", as, json: body });
}

describe("the gate", () => {
  specifyGate(() => rig, [{ method: "POST", path: "/api/v1/ingest", role: "operator" }], MAX_BODY_BYTES);
});

describe("POST /api/v1/ingest", () => {
  it("accepts a batch with 202 and the readings come out processed", async () => {
    const timestamp = new Date(Date.now() - 1_000).toISOString();
    const res = await post([
      { unit: "HTTP01", sensor: "temperature", value: 20.5, timestamp },
      { unit: "HTTP01", sensor: "pressure", value: 4, quality: "GOOD" },
    ]);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 2, rejected: 0, rejections: [] });
    await until(async () => (await rig.call("/api/v1/units/HTTP01/sensors/temperature", { as: "viewer" })).status === 200, "the processed temperature");
    const reading = (await (await rig.call("/api/v1/units/HTTP01/sensors/temperature", { as: "viewer" })).json()) as Record<string, unknown>;
    expect(reading).toMatchObject({ value: 20.5, ts: Date.parse(timestamp), source: "http", method: expect.any(String) as string, anomaly: false });
  });

  it('accepts {"readings": [...]} as well as a bare array', async () => {
    const res = await post({ readings: [{ unit: "HTTP02", sensor: "power", value: 75 }] });
    expect(await res.json()).toEqual({ accepted: 1, rejected: 0, rejections: [] });
  });

  it("answers bad readings by index and counts each by reason, while the good ones go in", async () => {
    const reasons = ["not_a_number", "malformed_payload", "timestamp_out_of_range", "invalid_id"];
    const before = reasons.map(rejected);
    const t = Date.now() - 5_000;
    const res = await post([
      { unit: "HTTP03", sensor: "flow_rate", value: 120, timestamp: t },
      { unit: "HTTP03", sensor: "flow_rate", value: "NaN" },
      null,
      { unit: "HTTP03", sensor: "flow_rate", value: 121, timestamp: "1999-12-31T23:59:59Z" },
      { unit: "HTTP/3", sensor: "flow_rate", value: 122 },
      { unit: "HTTP03", sensor: "flow_rate", value: 123, timestamp: t + 1 },
    ]);
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({
      accepted: 2,
      rejected: 4,
      rejections: [
        { index: 1, reason: "not_a_number" },
        { index: 2, reason: "malformed_payload" },
        { index: 3, reason: "timestamp_out_of_range" },
        { index: 4, reason: "invalid_id" },
      ],
    });
    expect(reasons.map((r, i) => rejected(r) - before[i]!)).toEqual([1, 1, 1, 1]);
    await until(async () => ((await (await rig.call("/api/v1/units/HTTP03/sensors/flow_rate", { as: "viewer" })).json()) as { value?: number }).value === 123, "the last good flow reading");
  });

  it("answers 400 for a body that is not a batch, and counts it as malformed_payload", async () => {
    const before = rejected("malformed_payload");
    const notJson = await rig.call("/api/v1/ingest", { method: "POST", as: "operator", body: "{readings: oops" });
    expect(notJson.status).toBe(400);
    const body = (await notJson.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("VIGIL_API_BAD_REQUEST");
    expect(body.error.message).toMatch(/^malformed_payload: not JSON/);
    expect((await post({ unit: "HTTP01", sensor: "x", value: 1 })).status).toBe(400);
    expect(rejected("malformed_payload") - before).toBe(2);
  });

  it("answers 413 for a body over the limit, declared or streamed, and counts it as payload_too_large", async () => {
    const before = rejected("payload_too_large");
    const big = JSON.stringify([{ unit: "HTTP01", sensor: "x", value: 1, note: "x".repeat(MAX_BODY_BYTES) }]);
    const declared = await rig.call("/api/v1/ingest", { method: "POST", as: "operator", body: big });
    expect(declared.status).toBe(413);
    expect(await codeOf(declared)).toBe("VIGIL_API_PAYLOAD_TOO_LARGE");
    const streamed = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const chunked = await fetch(`${rig.url}/api/v1/ingest`, { method: "POST", body: streamed, duplex: "half", headers: { "x-api-key": rig.keys.operator } });
    expect(chunked.status).toBe(413);
    expect(rejected("payload_too_large") - before).toBe(2);
  });

  it("answers another method with 405", async () => {
    const res = await rig.call("/api/v1/ingest", { as: "operator" });
    expect(res.status).toBe(405);
  });

  it("is in the OpenAPI document", async () => {
    const doc = (await (await rig.call("/api/v1/openapi.json")).json()) as { paths: Record<string, Record<string, unknown>> };
    expect(doc.paths["/api/v1/ingest"]).toHaveProperty("post");
  });
});
