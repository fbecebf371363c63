/**
 * HTTP batch ingest over a real loopback socket: the Hono routes served by
 * @hono/node-server, a real actor system behind the gateway.
 */
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIngestRoutes, INGEST_READINGS_PATH, serveIngestHttp, type IngestHttpServer } from "../../../../src/actors/connectors/index.js";
import { silentLog } from "../../../fixtures/actor-system.js";
import { isoAgo, startRig, type Rig } from "../rig.js";

const MAX_BODY_BYTES = 4 * 1024;

let rig: Rig;
let server: IngestHttpServer;

beforeAll(async () => {
  rig = await startRig();
  server = await serveIngestHttp({ app: createIngestRoutes({ gateway: rig.gateway, maxBodyBytes: MAX_BODY_BYTES, log: silentLog }), host: "127.0.0.1", port: 0, log: silentLog });
});

afterAll(async () => {
  await server?.close();
  await rig?.stop();
});

async function post(body: string | Uint8Array, headers: Record<string, string> = { "content-type": "application/json" }): Promise<{ status: number; body: unknown }> {
  const res = await fetch(server.url + INGEST_READINGS_PATH, { method: "POST", body, headers });
  return { status: res.status, body: await res.json() };
}

describe("HTTP batch ingest", () => {
  it("listens on a free port when asked for port 0", () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
  });

  it("accepts a good batch with 202 and delivers every reading", async () => {
    const timestamp = isoAgo(1_000);
    const res = await post(JSON.stringify([
      { unit: "UNIT001", sensor: "temperature", value: 20.5, timestamp },
      { unit: "UNIT001", sensor: "pressure", value: 4, quality: "GOOD" },
    ]));
    expect(res).toEqual({ status: 202, body: { accepted: 2, rejected: [] } });
    await rig.sensors.until("both readings", () => rig.sensors.readings.filter((r) => r.unit === "UNIT001").length === 2);
    expect(rig.sensors.of("UNIT001", "temperature")[0]).toMatchObject({ value: 20.5, ts: Date.parse(timestamp), source: "http" });
  });

  it('accepts {"readings": [...]} as well as a bare array', async () => {
    expect(await post(JSON.stringify({ readings: [{ unit: "UNIT002", sensor: "power", value: 75 }] }))).toEqual({ status: 202, body: { accepted: 1, rejected: [] } });
  });

  it("reports bad items by index and counts them, while the good ones are accepted", async () => {
    const before = rig.counters.snapshot().rejected.http ?? {};
    const res = await post(JSON.stringify([
      { unit: "UNIT003", sensor: "flow_rate", value: 120 },
      { unit: "UNIT003", sensor: "flow_rate", value: "NaN" },
      null,
      { unit: "UNIT003", sensor: "flow_rate", value: 121, timestamp: "1999-12-31T23:59:59Z" },
      { unit: "UNIT/3", sensor: "flow_rate", value: 122 },
      { unit: "UNIT003", sensor: "flow_rate", value: 123 },
    ]));
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      accepted: 2,
      rejected: [
        { index: 1, reason: "not_a_number" },
        { index: 2, reason: "malformed_payload" },
        { index: 3, reason: "timestamp_out_of_range" },
        { index: 4, reason: "invalid_id" },
      ],
    });
    const after = rig.counters.snapshot().rejected.http ?? {};
    for (const reason of ["not_a_number", "malformed_payload", "timestamp_out_of_range", "invalid_id"] as const) {
      expect((after[reason] ?? 0) - (before[reason] ?? 0), reason).toBe(1);
    }
    await rig.sensors.until("the good flow readings", () => rig.sensors.of("UNIT003", "flow_rate").length === 2);
  });

  it("answers 413 with a JSON error for a body over the limit, declared or streamed", async () => {
    const big = JSON.stringify([{ unit: "UNIT001", sensor: "x", value: 1, note: "x".repeat(MAX_BODY_BYTES) }]);
    expect(await post(big)).toEqual({ status: 413, body: { code: "payload_too_large", message: expect.any(String) as string } });
    // Without a content-length the limit is enforced while the body streams in.
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const res = await fetch(server.url + INGEST_READINGS_PATH, { method: "POST", body: chunked, duplex: "half" });
    expect(res.status).toBe(413);
    expect(rig.rejected("http", "payload_too_large")).toBe(2);
  });

  it("answers 400 with a JSON error for a body that is not JSON or not a batch", async () => {
    const notJson = await post("{readings: oops");
    expect(notJson).toEqual({ status: 400, body: { code: "malformed_payload", message: expect.stringMatching(/^not JSON/) as string } });
    expect(JSON.stringify(notJson.body)).not.toMatch(/at .*\.ts:\d+/); // no stack trace
    expect(await post(JSON.stringify({ unit: "UNIT001", sensor: "x", value: 1 }))).toMatchObject({ status: 400, body: { code: "malformed_payload" } });
    expect(await post(new Uint8Array([0xff, 0xfe]))).toMatchObject({ status: 400, body: { code: "malformed_payload" } });
  });

  it("answers 404 with a JSON error for other paths and methods", async () => {
    const other = await fetch(server.url + "/api/v1/ingest/other", { method: "POST", body: "[]" });
    expect({ status: other.status, body: (await other.json()) }).toMatchObject({ status: 404, body: { code: "not_found" } });
    expect((await fetch(server.url + INGEST_READINGS_PATH)).status).toBe(404);
  });

  it("can be mounted in another Hono app, as the control API will", async () => {
    const api = new Hono().route("/", createIngestRoutes({ gateway: rig.gateway, maxBodyBytes: MAX_BODY_BYTES, log: silentLog }));
    const res = await api.request(INGEST_READINGS_PATH, { method: "POST", body: JSON.stringify([{ unit: "UNIT004", sensor: "power", value: 1 }]) });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 1, rejected: [] });
  });

  it("refuses with VIGIL_INGEST_LISTEN_FAILED when the port is taken", async () => {
    const app = createIngestRoutes({ gateway: rig.gateway, maxBodyBytes: MAX_BODY_BYTES, log: silentLog });
    await expect(serveIngestHttp({ app, host: "127.0.0.1", port: server.port, log: silentLog })).rejects.toMatchObject({ code: "VIGIL_INGEST_LISTEN_FAILED" });
  });
});
