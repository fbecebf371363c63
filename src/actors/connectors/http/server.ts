/**
 * Serving the ingest routes on their own port with @hono/node-server, until
 * the control API serves them in its app.
 */
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { createAdaptorServer } from "@hono/node-server";
import type { Hono } from "hono";
import type { Logger } from "pino";
import { VigilError } from "../../../runtime/index.js";

export interface IngestHttpOptions {
  readonly app: Hono;
  /** @example "127.0.0.1" */
  readonly host: string;
  /** 0 asks the OS for a free port. */
  readonly port: number;
  readonly log: Logger;
}

export interface IngestHttpServer {
  /** e.g. http://127.0.0.1:8080 */
  readonly url: string;
  readonly port: number;
  /** Stops listening, ends idle keep-alive connections, resolves once open requests are answered. */
  close(): Promise<void>;
}

/** Listens; rejects with VIGIL_INGEST_LISTEN_FAILED when the address cannot be bound. */
export async function serveIngestHttp(options: IngestHttpOptions): Promise<IngestHttpServer> {
  const server = createAdaptorServer({ fetch: options.app.fetch }) as Server;
  await new Promise<void>((resolve, reject) => {
    const failed = (err: NodeJS.ErrnoException): void => {
      reject(new VigilError("VIGIL_INGEST_LISTEN_FAILED", `http ingest cannot listen on ${options.host}:${options.port}: ${err.code ?? err.message}`, { cause: err }));
    };
    server.once("error", failed);
    server.listen(options.port, options.host, () => {
      server.off("error", failed);
      resolve();
    });
  });
  server.on("error", (err) => options.log.error({ err }, "http ingest server error"));
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  const url = `http://${host}:${port}`;
  options.log.info({ url }, "http ingest listening");
  return {
    url,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
