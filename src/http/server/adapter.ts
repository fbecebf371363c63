/**
 * Hands one uWS request to a fetch-style handler (the Hono app) and streams
 * its Response back.
 *
 * - The uWS request object is only valid during the handler's synchronous
 *   part: method, path, query and headers are read at once.
 * - The body is collected up to `maxBodyBytes` (a declared Content-Length
 *   over it is refused before reading); beyond it the answer is 413 JSON and
 *   the connection is closed, since the rest of the body is never read.
 * - A client that goes away (onAborted) aborts the Request's signal and
 *   cancels the Response body; nothing is written to an aborted response.
 * - The Response goes out corked: a body that came as one chunk with
 *   `tryEnd` (its size known, resumed on `onWritable`), a stream chunk by
 *   chunk with `write`, waiting on `onWritable` whenever uWS reports
 *   backpressure, so a slow reader never makes the server buffer the stream.
 */
import { STATUS_CODES } from "node:http";
import type { HttpRequest, HttpResponse } from "../uws.js";
import { errorBody } from "../api/errors.js";
import { bodylessRequest } from "./bodyless-request.js";

export type FetchHandler = (request: Request) => Response | Promise<Response>;

export interface AdapterOptions {
  readonly fetch: FetchHandler;
  readonly maxBodyBytes: number;
  /** The origin put in front of the path, e.g. "http://127.0.0.1:8080". The Host header is not trusted for it. */
  readonly origin: () => string;
  /** Told of a handler failure (the client got a 500). */
  readonly onError: (err: unknown) => void;
  /** Told of a body refused for its size before any handler saw it (ingest counts it as a rejection). */
  readonly onTooLarge?: (method: string, path: string) => void;
}

/** Counts requests in flight, so a shutdown can wait for them. */
export interface InFlight {
  started(): void;
  finished(): void;
  /** When set, answers carry `Connection: close` so keep-alive connections end after them. */
  readonly closing: boolean;
}

const NO_BODY_METHODS = new Set(["GET", "HEAD"]);
// Written by uWS itself (length, chunking) or meaningless per hop.
const SKIPPED_HEADERS = new Set(["content-length", "transfer-encoding", "connection", "keep-alive"]);

export function serveWithFetch(res: HttpResponse, req: HttpRequest, o: AdapterOptions, inFlight: InFlight): void {
  const method = req.getCaseSensitiveMethod().toUpperCase();
  const query = req.getQuery();
  const path = req.getUrl();
  const url = `${o.origin()}${path}${query ? `?${query}` : ""}`;
  const headers = new Headers();
  req.forEach((name, value) => headers.append(name, value));

  const exchange = new Exchange(res, method, inFlight);
  inFlight.started();
  res.onAborted(() => exchange.abort());

  if (NO_BODY_METHODS.has(method)) {
    const { request, abort } = bodylessRequest(url, method, headers);
    exchange.run(request, abort, o);
    return;
  }
  const declared = Number(headers.get("content-length") ?? "0");
  const tooLarge = (): void => {
    exchange.tooLarge(o.maxBodyBytes);
    o.onTooLarge?.(method, path); // req is only valid until this function returns: path was read before
  };
  if (Number.isFinite(declared) && declared > o.maxBodyBytes) {
    tooLarge();
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  res.onData((chunk, isLast) => {
    if (exchange.done) return;
    size += chunk.byteLength;
    if (size > o.maxBodyBytes) {
      tooLarge();
      return;
    }
    // The ArrayBuffer is uWS's and is reused once this callback returns: copy it.
    chunks.push(Buffer.from(new Uint8Array(chunk)));
    if (isLast) {
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
      const controller = new AbortController();
      exchange.run(new Request(url, { method, headers, body: size === 0 ? null : body, signal: controller.signal }), () => controller.abort(), o);
    }
  });
}

/**
 * `read` if it settles within a turn of the event loop, else "later". An
 * in-memory body (every JSON answer) reports its end within a few
 * microtasks, so a short microtask wait settles nearly every request
 * without scheduling a setImmediate (~2.5 µs each); only what is still
 * pending then waits for the next turn.
 */
async function soonOrLater<T>(read: Promise<T>): Promise<T | "later"> {
  const first = await Promise.race([read, microtasks(READ_MICROTASKS)]);
  if (first !== "later") return first;
  return Promise.race([read, new Promise<"later">((resolve) => setImmediate(() => resolve("later")))]);
}

/** Microtask turns allowed for a body's next chunk before the next event-loop turn is waited for. */
const READ_MICROTASKS = 4;

function microtasks(n: number): Promise<"later"> {
  let p: Promise<unknown> = Promise.resolve();
  for (let i = 0; i < n; i++) p = p.then(() => undefined);
  return p.then(() => "later" as const);
}

/** One request's life: its handler run, its answer written, its end counted once. */
class Exchange {
  /** Aborts the Request's signal, once the app has the Request. */
  private abortRequest: (() => void) | undefined;
  private aborted = false;
  private ended = false;
  private drained: (() => void) | undefined;
  private watching = false;
  private onWritable: (offset: number) => boolean = () => true;

  constructor(
    private readonly res: HttpResponse,
    private readonly method: string,
    private readonly inFlight: InFlight,
  ) {}

  get done(): boolean {
    return this.aborted || this.ended;
  }

  abort(): void {
    if (this.done) return;
    this.aborted = true;
    this.abortRequest?.();
    this.drained?.();
    this.inFlight.finished();
  }

  tooLarge(maxBodyBytes: number): void {
    if (this.done) return;
    const body = JSON.stringify(errorBody("VIGIL_API_PAYLOAD_TOO_LARGE", `the body is larger than ${maxBodyBytes} bytes`));
    this.res.cork(() => {
      this.res.writeStatus("413 Payload Too Large").writeHeader("content-type", "application/json").end(body, true);
    });
    this.finish();
  }

  run(request: Request, abortRequest: () => void, o: AdapterOptions): void {
    this.abortRequest = abortRequest;
    Promise.resolve()
      .then(() => o.fetch(request))
      .then(
        (response) => this.respond(response),
        (err: unknown) => {
          o.onError(err);
          this.internalError();
        },
      )
      .catch((err: unknown) => {
        // Writing failed half-way (the body stream threw): the status is gone, so the connection is all we can end.
        o.onError(err);
        if (!this.done) {
          this.res.close();
          this.finish();
        }
      });
  }

  private internalError(): void {
    if (this.done) return;
    const body = JSON.stringify(errorBody("VIGIL_API_INTERNAL", "the request could not be handled; see the server log"));
    this.res.cork(() => {
      this.res.writeStatus("500 Internal Server Error").writeHeader("content-type", "application/json").end(body);
    });
    this.finish();
  }

  private async respond(response: Response): Promise<void> {
    if (this.done) {
      await response.body?.cancel().catch(() => undefined);
      return;
    }
    const reader = (response.body as ReadableStream<Uint8Array> | null)?.getReader();
    // The first chunk decides: a body of one chunk (every JSON answer) goes out in one tryEnd with its length.
    const first = reader === undefined ? undefined : await reader.read();
    // A second chunk not ready at once means a live stream (e.g. server-sent events): its first chunk goes out now.
    let pending = first === undefined || first.done ? undefined : reader?.read();
    const second = pending === undefined ? undefined : await soonOrLater(pending);
    if (second !== "later") pending = undefined;
    if (this.done) {
      await reader?.cancel().catch(() => undefined);
      return;
    }
    const head = (): void => {
      this.res.writeStatus(`${response.status} ${STATUS_CODES[response.status] ?? ""}`);
      response.headers.forEach((value, name) => {
        if (!SKIPPED_HEADERS.has(name)) this.res.writeHeader(name, value);
      });
      if (this.inFlight.closing) this.res.writeHeader("connection", "close");
    };
    if (this.method === "HEAD" || reader === undefined || first === undefined || first.done) {
      this.res.cork(() => {
        head();
        if (this.method === "HEAD") this.res.endWithoutBody(undefined, this.inFlight.closing);
        else this.res.end("", this.inFlight.closing);
      });
      await reader?.cancel().catch(() => undefined);
      this.finish();
      return;
    }
    if (second !== "later" && (second === undefined || second.done)) {
      await this.endWith(first.value, head);
      return;
    }
    // A stream: chunked transfer, honouring backpressure.
    const opening = second === "later" ? [first.value] : [first.value, second.value];
    let writable = true;
    this.res.cork(() => {
      head();
      for (const chunk of opening) writable = this.res.write(chunk) && writable;
    });
    for (;;) {
      if (!writable) await this.writable();
      if (this.done) {
        await reader.cancel().catch(() => undefined);
        return;
      }
      const next = await (pending ?? reader.read());
      pending = undefined;
      if (this.done) {
        await reader.cancel().catch(() => undefined);
        return;
      }
      if (next.done) break;
      this.res.cork(() => {
        writable = this.res.write(next.value);
      });
    }
    this.res.cork(() => this.res.end("", this.inFlight.closing));
    this.finish();
  }

  /** The whole body at once: tryEnd, then the rest from onWritable until uWS has taken all of it. */
  private endWith(body: Uint8Array, head: () => void): Promise<void> {
    const total = body.byteLength;
    let responded = false;
    let startOffset = 0;
    this.res.cork(() => {
      head();
      startOffset = this.res.getWriteOffset();
      [, responded] = this.res.tryEnd(body, total);
    });
    if (responded) {
      this.finish();
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      this.drained = resolve;
      this.onWritable = (offset) => {
        const [ok, done] = this.res.tryEnd(body.subarray(offset - startOffset), total);
        if (done) {
          this.drained = undefined;
          this.finish();
          resolve();
        }
        return ok;
      };
      this.watchWritable();
    });
  }

  private writable(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.drained = resolve;
      this.onWritable = () => {
        this.drained = undefined;
        resolve();
        return true;
      };
      this.watchWritable();
    });
  }

  /**
   * One onWritable handler per response, registered once: uWS keeps the
   * handler it is calling, so one registered again from within it (or from a
   * promise settled during it) would be lost.
   */
  private watchWritable(): void {
    if (this.watching) return;
    this.watching = true;
    this.res.onWritable((offset) => this.onWritable(offset));
  }

  private finish(): void {
    if (this.done) return;
    this.ended = true;
    this.inFlight.finished();
  }
}
