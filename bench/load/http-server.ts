/**
 * The control API for the `http` bench, served in its own process by one
 * server: `vigil` (uWebSockets.js and the adapter, src/http/server — what a
 * node runs) or `hono-node` (@hono/node-server, the server a Hono user would
 * pick). Both serve the same app, made the way startHttp makes it: keys,
 * rate limiter (raised so the load is never refused), audit, the units area
 * over a live state holding `UNITS` units.
 *
 * A process of its own per server because @hono/node-server replaces the
 * global Request and Response with its own lighter classes when it starts
 * serving: in one process, the server measured second would run on them.
 *
 * Protocol with the parent: stdout `{"url":…,"key":…}` once listening; then
 * each stdin line `cpu` is answered with `cpu <µs>`, the process's CPU time
 * (user + system) so far. It exits when stdin closes.
 *
 * usage: tsx bench/load/http-server.ts <vigil|hono-node>
 */
import { createInterface } from "node:readline";
import { serve } from "@hono/node-server";
import { pino } from "pino";
import type { ActorSystem } from "../../src/runtime/index.js";
import type { UnitState } from "../../src/actors/readings/index.js";
import { SUBJECTS } from "../../src/actors/subjects.js";
import { defaults } from "../../src/config/index.js";
import { createApiApp } from "../../src/http/api/app.js";
import { AuditLog } from "../../src/http/auth/audit.js";
import { generateApiKey, hashApiKey, KeyRing } from "../../src/http/auth/keys.js";
import { RateLimiter } from "../../src/http/auth/rate-limit.js";
import { FeedState, PublicationFeed } from "../../src/http/feeds/index.js";
import { LivePlant, unitRoutes } from "../../src/http/routes/index.js";
import { createHttpServer } from "../../src/http/server/server.js";

/** The simulator's default plant: UNIT001..UNIT005, five sensors each. */
const UNITS = 5;
const SENSORS = ["temperature", "pressure", "flow_rate", "power", "vibration"];
const kind = process.argv[2];
if (kind !== "vigil" && kind !== "hono-node") {
  process.stderr.write("usage: http-server.ts <vigil|hono-node>\n");
  process.exit(2);
}

const log = pino({ level: "silent" });
const key = generateApiKey();
const source = new PublicationFeed();
const state = new FeedState(source);
const now = Date.now();
for (let u = 1; u <= UNITS; u++) {
  const unit = `UNIT${String(u).padStart(3, "0")}`;
  const unitState: UnitState = {
    unit,
    status: "online",
    operationalState: "NORMAL",
    severity: null,
    category: null,
    health: 0.97,
    method: "STATISTICAL",
    sensors: Object.fromEntries(SENSORS.map((sensor, i) => [sensor, { value: 40 + i * 3.25, ts: now, quality: "GOOD", anomaly: false, score: 0.0314 }])),
    lastReadingAt: now,
    updatedAt: now,
  };
  source.publication(SUBJECTS.unitState(unit), JSON.stringify(unitState));
}

// GET /api/v1/units never asks an actor; maintenance (a POST) would.
const system: Pick<ActorSystem, "ask"> = { ask: () => Promise.reject(new Error("the http bench serves reads only")) };
const api = createApiApp({
  keys: new KeyRing([{ id: "bench", role: "viewer", sha256: hashApiKey(key) }]),
  // Still taken per request (its cost is part of the figure); never empty.
  limiter: new RateLimiter({ perSecond: 1e9, burst: 1e9 }),
  audit: new AuditLog(defaults.http.auditEntries, log),
  maxBodyBytes: defaults.http.maxBodyBytes,
  corsOrigins: [],
  routes: [unitRoutes({ plant: new LivePlant(state), system, history: undefined })],
  version: "bench",
  log,
});

let url: string;
if (kind === "vigil") {
  const server = createHttpServer({ host: "127.0.0.1", port: 0, maxBodyBytes: defaults.http.maxBodyBytes, drainTimeoutMs: 1000, fetch: api.fetch, log });
  url = (await server.listen()).url;
} else {
  url = await new Promise<string>((resolve) => {
    serve({ fetch: api.fetch, hostname: "127.0.0.1", port: 0 }, (info) => resolve(`http://127.0.0.1:${info.port}`));
  });
}
process.stdout.write(`${JSON.stringify({ url, key })}\n`);

createInterface({ input: process.stdin })
  .on("line", (line) => {
    if (line !== "cpu") return;
    const cpu = process.cpuUsage();
    process.stdout.write(`cpu ${cpu.user + cpu.system}\n`);
  })
  .on("close", () => process.exit(0));
