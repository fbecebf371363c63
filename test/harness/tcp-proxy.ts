/**
 * A TCP relay on a free loopback port to one target, which a test can cut
 * (every connection dropped, new ones refused) and mend: how a node is cut
 * off from its servers without touching the node or the servers.
 */
import { createServer, connect, type Server, type Socket } from "node:net";
import { freePort, LOOPBACK } from "./probes.js";

export interface TcpProxy {
  readonly port: number;
  readonly url: string;
  cut(): void;
  mend(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, scheme = "nats"): Promise<TcpProxy> {
  const port = await freePort();
  const sockets = new Set<Socket>();
  let open = true;
  const server: Server = createServer((client) => {
    if (!open) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, LOOPBACK);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(port, LOOPBACK, resolve));
  return {
    port,
    url: `${scheme}://${LOOPBACK}:${port}`,
    cut() {
      open = false;
      for (const s of sockets) s.destroy();
    },
    mend() {
      open = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
