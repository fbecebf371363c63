/**
 * The control API's gate, against a real node over real HTTP: keys and
 * roles, JSON errors for everything refused, bounded bodies, the audit
 * trail, rate limits, CORS, health and metrics, the OpenAPI document and
 * the docs page.
 */
import { Registry } from "prom-client";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { createHttpServer, generateApiKey, hashApiKey, KeyRing } from "../../src/http/index.js";
import { createApiApp } from "../../src/http/api/app.js";
import { AuditLog } from "../../src/http/auth/audit.js";
import { RateLimiter } from "../../src/http/auth/rate-limit.js";
import { HealthRegistry } from "../../src/http/health.js";
import { healthRoutes } from "../../src/http/routes/health.js";
import { startHttp } from "../../src/http/start.js";
import { createInProcessTransport } from "../../src/runtime/transport/index.js";
import { silentLog } from "../fixtures/actor-system.js";
import { codeOf, startApiRig, type ApiRig } from "./rig.js";

const ORIGIN = "https://ops.example.com";
let rig: ApiRig;

beforeAll(async () => {
  rig = await startApiRig({ http: { cors: { origins: [ORIGIN] }, maxBodyBytes: 64 * 1024, rateLimit: { perSecond: 1000, burst: 1000 } } });
});

afterAll(async () => {
  await rig?.stop();
});

describe("keys and roles", () => {
  it("answers a route that needs a key with 401 and a JSON error when none is sent", async () => {
    const res = await rig.call("/api/v1/health/detailed");
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(await codeOf(res)).toBe("VIGIL_API_UNAUTHORIZED");
  });

  it("answers 401 for a key it does not know, even on a public route", async () => {
    const res = await rig.call("/api/v1/health", { headers: { "x-api-key": generateApiKey() } });
    expect(res.status).toBe(401);
    expect(await codeOf(res)).toBe("VIGIL_API_UNAUTHORIZED");
  });

  it("takes the key from Authorization: Bearer as well as X-API-Key", async () => {
    const res = await rig.call("/api/v1/health/detailed", { headers: { authorization: `Bearer ${rig.keys.viewer}` } });
    expect(res.status).toBe(200);
  });

  it("answers 403 when the key's role is below the route's", async () => {
    const res = await rig.call("/api/v1/audit", { as: "operator" });
    expect(res.status).toBe(403);
    expect(await codeOf(res)).toBe("VIGIL_API_FORBIDDEN");
  });

  it("lets a higher role do what a lower one may", async () => {
    expect((await rig.call("/api/v1/health/detailed", { as: "admin" })).status).toBe(200);
  });
});

describe("errors", () => {
  it("answers an unknown path with 404 JSON", async () => {
    const res = await rig.call("/api/v1/nothing-here", { as: "viewer" });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: "VIGIL_API_NOT_FOUND", message: expect.stringContaining("/api/v1/nothing-here") as string } });
  });

  it("answers a known path with another method with 405 JSON and Allow", async () => {
    const res = await rig.call("/api/v1/health", { method: "DELETE", as: "admin" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET");
    expect(await codeOf(res)).toBe("VIGIL_API_METHOD_NOT_ALLOWED");
  });

  it("answers a body over http.maxBodyBytes with 413 JSON", async () => {
    const res = await rig.call("/api/v1/health", { method: "POST", as: "admin", body: "x".repeat(64 * 1024 + 1) });
    expect(res.status).toBe(413);
    expect(await codeOf(res)).toBe("VIGIL_API_PAYLOAD_TOO_LARGE");
  });

  it("answers an invalid query with 400 naming the field", async () => {
    const res = await rig.call("/api/v1/audit?limit=zero", { as: "admin" });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: "VIGIL_API_BAD_REQUEST", message: expect.stringContaining("query.limit") as string } });
  });
});

describe("the audit trail", () => {
  it("records a control action with who, what, when and the result, for admins to read", async () => {
    const before = Date.now();
    await rig.call("/api/v1/health", { method: "PUT", as: "operator" });
    const res = await rig.call("/api/v1/audit?limit=5", { as: "admin" });
    const { entries } = (await res.json()) as { entries: { at: number; who: string; method: string; path: string; status: number; result: string }[] };
    expect(entries[0]).toMatchObject({ who: "operator-key", role: "operator", method: "PUT", path: "/api/v1/health", status: 405, result: "VIGIL_API_METHOD_NOT_ALLOWED" });
    expect(entries[0]!.at).toBeGreaterThanOrEqual(before);
  });

  it("records refused attempts without a key too", async () => {
    await rig.call("/api/v1/audit", { method: "POST" });
    const { entries } = (await (await rig.call("/api/v1/audit?limit=1", { as: "admin" })).json()) as { entries: { who: string | null; status: number }[] };
    expect(entries[0]).toMatchObject({ who: null, status: 405 });
  });
});

describe("CORS", () => {
  it("answers a preflight from an allowed origin with its headers", async () => {
    const res = await rig.call("/api/v1/health/detailed", {
      method: "OPTIONS",
      headers: { origin: ORIGIN, "access-control-request-method": "GET", "access-control-request-headers": "x-api-key" },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    expect(res.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("x-api-key");
  });

  it("gives another origin no allow-origin header", async () => {
    const res = await rig.call("/api/v1/health", { headers: { origin: "https://elsewhere.example" } });
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("health, metrics and documents", () => {
  it("reports every subsystem on the public /health", async () => {
    const res = await rig.call("/api/v1/health");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; version: string; subsystems: Record<string, string> };
    expect(body.status).toBe("ok");
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(body.subsystems).toEqual({ transport: "ok", mqtt: "disabled", opcua: "disabled", history: "ok", models: "ok", simulator: "disabled", websocket: "ok" });
  });

  it("adds each subsystem's figures on /health/detailed", async () => {
    const body = (await (await rig.call("/api/v1/health/detailed", { as: "viewer" })).json()) as { subsystems: Record<string, { status: string; detail?: Record<string, unknown> }> };
    expect(body.subsystems["history"]).toMatchObject({ status: "ok", detail: { store: "embedded", storeFailing: false } });
  });

  it("serves Prometheus metrics on /metrics", async () => {
    const res = await rig.call("/metrics");
    expect(res.headers.get("content-type")).toMatch(/text\/plain/);
    expect(await res.text()).toMatch(/^vigil_process_cpu_seconds_total/m);
  });

  it("lists the routes in the OpenAPI document, with their security", async () => {
    const doc = (await (await rig.call("/api/v1/openapi.json")).json()) as { openapi: string; paths: Record<string, Record<string, { security?: unknown[] }>> };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/api/v1/health", "/api/v1/health/detailed", "/api/v1/audit", "/metrics"]));
    expect(doc.paths["/api/v1/health"]!["get"]!.security).toEqual([]);
  });

  it("serves the Swagger UI page from local files only", async () => {
    const page = await (await rig.call("/api/v1/docs")).text();
    const sources = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(sources.length).toBeGreaterThan(0);
    for (const src of sources) {
      expect(src.startsWith("/api/v1/docs/")).toBe(true);
      expect((await rig.call(src)).status).toBe(200);
    }
  });
});

describe("the WebSocket feeds on the same port", () => {
  function upgrade(headers: Record<string, string>): Promise<number> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${rig.url.replace("http", "ws")}/ws`, { headers });
      ws.once("open", () => {
        ws.close();
        resolve(101);
      });
      ws.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      ws.once("error", reject);
    });
  }

  it("opens a feed for any API key, by header", async () => {
    expect(await upgrade({ "x-api-key": rig.keys.viewer })).toBe(101);
  });

  it("refuses an upgrade with no key or an unknown one with 401", async () => {
    expect(await upgrade({})).toBe(401);
    expect(await upgrade({ authorization: `Bearer ${generateApiKey()}` })).toBe(401);
  });
});

describe("rate limits", () => {
  it("answers 429 with Retry-After once a key has used its burst", async () => {
    const key = generateApiKey();
    const app = createApiApp({
      keys: new KeyRing([{ id: "k", role: "viewer", sha256: hashApiKey(key) }]),
      limiter: new RateLimiter({ perSecond: 1, burst: 2 }),
      audit: new AuditLog(10, silentLog),
      maxBodyBytes: 1024,
      corsOrigins: [],
      version: "0.0.0",
      log: silentLog,
      routes: [healthRoutes({ health: new HealthRegistry(), version: "0.0.0", nodeId: "n", startedAt: Date.now() })],
    });
    const server = createHttpServer({ host: "127.0.0.1", port: 0, maxBodyBytes: 1024, drainTimeoutMs: 1000, fetch: app.fetch, log: silentLog });
    const { url } = await server.listen();
    try {
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let i = 0; i < 3; i++) {
        last = await fetch(`${url}/api/v1/health/detailed`, { headers: { "x-api-key": key } });
        statuses.push(last.status);
      }
      expect(statuses).toEqual([200, 200, 429]);
      expect(Number(last!.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(await codeOf(last!)).toBe("VIGIL_API_RATE_LIMITED");
    } finally {
      await server.close();
    }
  });
});

describe("without configured keys", () => {
  const parts = {
    nodeId: "n",
    version: "0.0.0",
    registry: new Registry(),
    logger: silentLog,
    transport: createInProcessTransport(),
    transportKind: "in-process",
    mqtt: undefined,
    opcua: undefined,
    history: undefined,
    simulator: undefined,
    routes: [],
  };

  it("makes a one-time admin key, announces it once, and accepts it", async () => {
    const announced: string[] = [];
    const http = await startHttp({ ...loadConfig({ env: {} }).http, port: 0, keys: [] }, { ...parts, announceKey: (key) => announced.push(key) });
    try {
      expect(announced).toHaveLength(1);
      const res = await fetch(`${http.url}/api/v1/audit`, { headers: { "x-api-key": announced[0]! } });
      expect(res.status).toBe(200);
    } finally {
      await http.stop();
    }
  });

  it("refuses to listen beyond loopback", async () => {
    await expect(startHttp({ ...loadConfig({ env: {} }).http, host: "0.0.0.0", port: 0, keys: [] }, parts)).rejects.toMatchObject({ code: "VIGIL_HTTP_BIND_REFUSED" });
  });
});
