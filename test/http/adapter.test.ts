/**
 * The uWS ↔ fetch adapter and the server around it, through real sockets
 * with real HTTP clients (Node's fetch): requests in, streamed answers out,
 * size limits, clients that go away, and a graceful close.
 */
import { createHash } from "node:crypto";
import { request as httpRequest } from "node:http";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createHttpServer, type HttpServer } from "../../src/http/index.js";
import { silentLog } from "../fixtures/actor-system.js";

const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** What the test app saw and did, for the assertions. */
const seen = { streamCancelled: false, slowStarted: false, uploadHandled: 0, waitStarted: 0, waitAborted: 0 };
let releaseSlow: () => void = () => undefined;

const app = new Hono();
app.get("/echo", (c) => c.json({ method: c.req.method, path: c.req.path, query: c.req.query(), agent: c.req.header("x-test") ?? null }));
app.post("/digest", async (c) => {
  seen.uploadHandled++;
  const body = new Uint8Array(await c.req.arrayBuffer());
  return c.json({ bytes: body.byteLength, sha256: createHash("sha256").update(body).digest("hex") });
});
app.get("/stream", () => {
  let sent = 0;
  const chunk = new Uint8Array(16 * 1024).fill(97);
  const total = Number(2_000);
  return new Response(
    new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === total) return controller.close();
        sent++;
        controller.enqueue(chunk);
      },
    }),
    { headers: { "content-type": "application/octet-stream" } },
  );
});
app.get("/endless", () =>
  new Response(
    new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new Uint8Array(64 * 1024));
      },
      cancel() {
        seen.streamCancelled = true;
      },
    }),
  ),
);
let releaseLive: () => void = () => undefined;
app.get("/live", () =>
  new Response(
    new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("first;"));
        releaseLive = () => {
          controller.enqueue(new TextEncoder().encode("second"));
          controller.close();
        };
      },
    }),
    { headers: { "content-type": "text/event-stream" } },
  ),
);
app.get("/big", (c) => c.body(new Uint8Array(12 * 1024 * 1024).fill(7)));
app.get("/slow", async (c) => {
  seen.slowStarted = true;
  await new Promise<void>((resolve) => (releaseSlow = resolve));
  return c.text("done");
});
// Asks for the signal when the request arrives (`early`) or only once the client has gone (`late`).
app.get("/wait/:when", async (c) => {
  const early = c.req.param("when") === "early" ? c.req.raw.signal : undefined;
  seen.waitStarted++;
  await vi.waitFor(() => expect(server.inFlight).toBe(0), { timeout: 10_000 });
  if ((early ?? c.req.raw.signal).aborted) seen.waitAborted++;
  return c.text("too late");
});
app.get("/as-request", async (c) => {
  const raw = c.req.raw;
  const copy = raw.clone();
  return c.json({ isRequest: raw instanceof Request, body: raw.body, mode: raw.mode, copyUrl: copy.url, copyHeader: copy.headers.get("x-test"), text: await raw.text() });
});
app.get("/throws", () => {
  throw new Error("secret stack detail");
});
app.onError((err, c) => (err.message.includes("secret") ? Promise.reject(err) : c.text("error", 500))) ;

let server: HttpServer;
let base: string;

beforeAll(async () => {
  server = createHttpServer({ host: "127.0.0.1", port: 0, maxBodyBytes: MAX_BODY_BYTES, drainTimeoutMs: 10_000, fetch: app.fetch, log: silentLog });
  base = (await server.listen()).url;
});

afterAll(async () => {
  releaseSlow();
  await server?.close();
});

describe("the uWS adapter", () => {
  it("hands the method, path, query and headers to the app and returns its JSON", async () => {
    const res = await fetch(`${base}/echo?a=1&b=two`, { headers: { "x-test": "yes" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    expect(await res.json()).toEqual({ method: "GET", path: "/echo", query: { a: "1", b: "two" }, agent: "yes" });
  });

  it("delivers a large request body intact", async () => {
    const body = new Uint8Array(5 * 1024 * 1024).map((_, i) => i % 251);
    const res = await fetch(`${base}/digest`, { method: "POST", body });
    expect(await res.json()).toEqual({ bytes: body.byteLength, sha256: createHash("sha256").update(body).digest("hex") });
  });

  it("refuses a declared body over the limit with 413 JSON, without calling the app", async () => {
    const handled = seen.uploadHandled;
    const res = await fetch(`${base}/digest`, { method: "POST", body: new Uint8Array(MAX_BODY_BYTES + 1) });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: { code: "VIGIL_API_PAYLOAD_TOO_LARGE", message: expect.stringContaining(String(MAX_BODY_BYTES)) as string } });
    expect(seen.uploadHandled).toBe(handled);
  });

  it("refuses a chunked body once it grows over the limit", async () => {
    const piece = new Uint8Array(1024 * 1024);
    let pieces = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pieces++ === 20) controller.close();
        else controller.enqueue(piece);
      },
    });
    const res: unknown = await fetch(`${base}/digest`, { method: "POST", body, duplex: "half" }).catch((err: unknown) => err);
    // The server answers 413 and closes; depending on timing the client sees the answer or a reset mid-upload.
    if (res instanceof Response) {
      expect(res.status).toBe(413);
      expect(await res.json()).toMatchObject({ error: { code: "VIGIL_API_PAYLOAD_TOO_LARGE" } });
    } else {
      expect(res).toBeInstanceOf(Error);
    }
    expect((await fetch(`${base}/echo`)).status).toBe(200);
  });

  it("streams a response of many chunks to the end", async () => {
    const res = await fetch(`${base}/stream`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(bytes.byteLength).toBe(2_000 * 16 * 1024);
    expect(bytes.every((b) => b === 97)).toBe(true);
  });

  it("sends a live stream's first chunk before the next one exists", async () => {
    const res = await fetch(`${base}/live`);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    expect(decoder.decode((await reader.read()).value)).toBe("first;");
    releaseLive();
    let rest = "";
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += decoder.decode(r.value);
    expect(rest).toBe("second");
  });

  it("sends a body larger than the socket buffer in full to a slow reader", async () => {
    const res = await fetch(`${base}/big`);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let total = 0;
    for (;;) {
      // Reading slowly leaves uWS with backpressure: the rest must come from onWritable.
      await new Promise((r) => setImmediate(r));
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
    }
    expect(total).toBe(12 * 1024 * 1024);
  });

  it("cancels the app's response stream when the client goes away", async () => {
    const controller = new AbortController();
    const res = await fetch(`${base}/endless`, { signal: controller.signal });
    await res.body!.getReader().read();
    controller.abort();
    await vi.waitFor(() => expect(seen.streamCancelled).toBe(true), { timeout: 10_000 });
  });

  it("aborts a GET request's signal when the client goes away, whether the app asked for it before or after", async () => {
    for (const when of ["early", "late"]) {
      const before = { started: seen.waitStarted, aborted: seen.waitAborted };
      const controller = new AbortController();
      const res = fetch(`${base}/wait/${when}`, { signal: controller.signal }).catch(() => undefined);
      await vi.waitFor(() => expect(seen.waitStarted).toBe(before.started + 1), { timeout: 10_000 });
      controller.abort();
      await res;
      await vi.waitFor(() => expect(seen.waitAborted).toBe(before.aborted + 1), { timeout: 10_000 });
    }
  });

  it("hands a GET to the app as a Request that does all a Request does", async () => {
    const res = await fetch(`${base}/as-request`, { headers: { "x-test": "copied" } });
    expect(await res.json()).toEqual({ isRequest: true, body: null, mode: "cors", copyUrl: `${base}/as-request`, copyHeader: "copied", text: "" });
  });

  it("forgets an upload the client abandons half-way and keeps serving", async () => {
    const handled = seen.uploadHandled;
    await new Promise<void>((resolve) => {
      const req = httpRequest(`${base}/digest`, { method: "POST", headers: { "content-length": "1000000" } });
      req.on("error", () => resolve());
      req.write(new Uint8Array(10_000), () => {
        req.destroy();
        resolve();
      });
    });
    await vi.waitFor(() => expect(server.inFlight).toBe(0), { timeout: 10_000 });
    expect(seen.uploadHandled).toBe(handled);
    expect((await fetch(`${base}/echo`)).status).toBe(200);
  });

  it("answers 500 JSON without the error's text when the app fails", async () => {
    const res = await fetch(`${base}/throws`);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ error: { code: "VIGIL_API_INTERNAL", message: expect.any(String) as string } });
    expect(text).not.toContain("secret");
  });
});

describe("closing the server", () => {
  it("finishes a request in flight, then stops accepting connections", async () => {
    const other = createHttpServer({ host: "127.0.0.1", port: 0, maxBodyBytes: 1024, drainTimeoutMs: 30_000, fetch: app.fetch, log: silentLog });
    const { url } = await other.listen();
    seen.slowStarted = false;
    const pending = fetch(`${url}/slow`);
    await vi.waitFor(() => expect(seen.slowStarted).toBe(true), { timeout: 10_000 });
    const closed = other.close();
    releaseSlow();
    const res = await pending;
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("done");
    await closed;
    await expect(fetch(`${url}/echo`)).rejects.toThrow();
  });
});
