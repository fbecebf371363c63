/** NATS ingest against a real nats-server. */
import { afterAll, beforeAll } from "vitest";
import { connectNatsTransport } from "../../../../src/runtime/transport/index.js";
import { startNats, stopAllServers, type ServerHandle } from "../../../harness/servers.js";
import { runNatsIngestSpec } from "./nats-ingest.case.js";

let server: ServerHandle;

beforeAll(async () => {
  server = await startNats({ jetstream: false });
});

afterAll(stopAllServers);

runNatsIngestSpec("nats-server", async () => {
  const [node, peer, device] = await Promise.all(["node", "peer", "device"].map((name) => connectNatsTransport({ servers: server.url, name })));
  if (node === undefined || peer === undefined || device === undefined) throw new Error("three transports expected");
  return {
    node,
    peer,
    device,
    cleanup: async () => {
      await Promise.all([node.close(), peer.close(), device.close()]);
    },
  };
});
