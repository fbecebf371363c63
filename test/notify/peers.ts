/**
 * Real local peers for the notifier specs, started by each test: an HTTP
 * receiver that checks the webhook's HMAC the way a third-party receiver
 * would (its own node:crypto code, not Vigil's helper) and can be told to
 * fail, hang or go away and come back; plus the test's notification maker,
 * config maker and log capture.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import pino from "pino";
import { defaults, notifySchema, type NotifyConfig } from "../../src/config/index.js";
import type { Logger } from "../../src/runtime/log.js";
import type { AlarmNotification } from "../../src/notify/index.js";

export type ReceiverMode = "ok" | "fail" | "hang" | "refuse";

export interface Received {
  readonly id: string | undefined;
  readonly body: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly signatureValid: boolean;
}

export interface Receiver {
  readonly url: string;
  mode: ReceiverMode;
  /** Every request, including failed and duplicate ones. */
  readonly requests: Received[];
  /** Notifications accepted (2xx answered), deduped by id as a receiver should. */
  readonly accepted: Map<string, Received>;
  /** Requests that got a 2xx for an id already accepted. */
  duplicates: number;
  /** Requests the receiver is holding without answering (mode "hang"). */
  readonly hanging: number;
  /** Closes the port: the peer is down. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
}

/** A webhook (or, with no key, a Slack-style) receiver on a free loopback port. */
export async function startReceiver(key?: string, toleranceMs = 5 * 60 * 1000): Promise<Receiver> {
  const requests: Received[] = [];
  const accepted = new Map<string, Received>();
  const hanging = new Set<http.ServerResponse>();
  let server: http.Server;
  let port = 0;
  const receiver: Receiver = {
    url: "",
    mode: "ok",
    requests,
    accepted,
    duplicates: 0,
    get hanging() {
      return hanging.size;
    },
    down: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        hanging.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    up: () => listen(),
  };
  const handle = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => {
    const id = req.headers["x-vigil-notification-id"] as string | undefined;
    const signatureValid = key === undefined ? false : checkSignature(key, body, req.headers, toleranceMs);
    const r: Received = { id, body, headers: req.headers, signatureValid };
    requests.push(r);
    if (receiver.mode === "hang") {
      hanging.add(res);
      return;
    }
    if (receiver.mode === "fail") return void res.writeHead(500).end("down for maintenance");
    if (receiver.mode === "refuse" || (key !== undefined && !signatureValid)) return void res.writeHead(401).end("bad signature");
    const dedupeKey = id ?? body;
    if (accepted.has(dedupeKey)) receiver.duplicates++;
    else accepted.set(dedupeKey, r);
    res.writeHead(200).end("ok");
  };
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => handle(req, res, Buffer.concat(chunks).toString("utf8")));
      });
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  await listen();
  (receiver as { url: string }).url = `http://127.0.0.1:${port}/hooks/alarms`;
  return receiver;
}

/** What any receiver would do: HMAC-SHA256 over "<timestamp>.<raw body>", compared in constant time, timestamp fresh. */
function checkSignature(key: string, body: string, headers: http.IncomingHttpHeaders, toleranceMs: number): boolean {
  const ts = headers["x-vigil-timestamp"];
  const sig = headers["x-vigil-signature"];
  if (typeof ts !== "string" || typeof sig !== "string") return false;
  if (Math.abs(Date.now() - Number(ts)) > toleranceMs) return false;
  const expected = Buffer.from(`v1=${createHmac("sha256", key).update(`${ts}.${body}`).digest("hex")}`);
  const given = Buffer.from(sig);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

let seq = 0;

export function notification(overrides: { event?: AlarmNotification["event"]; severity?: AlarmNotification["alarm"]["severity"]; unit?: string } = {}): AlarmNotification {
  seq++;
  const unit = overrides.unit ?? "UNIT001";
  const event = overrides.event ?? "raised";
  return {
    id: `alarm-${unit}-${seq}:${event}:1`,
    event,
    at: 1_795_000_000_000 + seq,
    alarm: {
      id: `alarm-${unit}-${seq}`,
      ruleId: "temperature-critical",
      unit,
      sensor: "temperature",
      severity: overrides.severity ?? "CRITICAL",
      category: "THERMAL",
      message: "High temperature alert: 92.5°C",
      state: event === "cleared" ? "CLEARED_UNACKED" : "ACTIVE_UNACKED",
      value: 92.5,
      raisedAt: 1_795_000_000_000,
      area: "north",
    },
  };
}

/** A temporary outbox directory, removed by the returned cleanup. */
export async function tempDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "vigil-notify-"));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** The notify section as the config loader would produce it: defaults, then these fields, validated. */
export function notifyConfig(outboxDir: string, fields: Record<string, unknown>): NotifyConfig {
  return notifySchema.parse({
    ...defaults.notify,
    outboxDir,
    // Fast retries: the specs wait on counters, never on timings.
    retry: { maxAttempts: 50, initialMs: 20, maxMs: 200 },
    timeoutMs: 2000,
    ...fields,
  });
}

/** A logger whose lines the test can read. */
export function capturedLog(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString("utf8"));
      done();
    },
  });
  return { log: pino({ level: "debug" }, stream), lines };
}

export { until } from "../fixtures/until.js";
