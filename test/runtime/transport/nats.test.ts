import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectNatsTransport, type NatsTransport } from "../../../src/runtime/transport/index.js";
import { type ServerHandle, startNats, stopAllServers } from "../../harness/servers.js";
import { runTransportConformance, take } from "./transport.case.js";

let server: ServerHandle;

beforeAll(async () => {
  server = await startNats({ jetstream: false });
});

afterAll(async () => {
  await stopAllServers();
});

function connect(name: string): Promise<NatsTransport> {
  // A short reconnect wait keeps the restart test quick.
  return connectNatsTransport({ servers: server.url, name, reconnectTimeWaitMs: 100 });
}

runTransportConformance("NATS", async () => {
  const a = await connect("conformance-a");
  const b = await connect("conformance-b");
  return {
    a,
    b,
    cleanup: async () => {
      await a.close();
      await b.close();
    },
  };
});

describe("NatsTransport", () => {
  /** Resolves on the transport's next `reconnect` status event. */
  function nextReconnect(t: NatsTransport): Promise<void> {
    return new Promise((resolve) => {
      const off = t.onStatus((s) => {
        if (s.type === "reconnect") {
          off();
          resolve();
        }
      });
    });
  }

  it("reconnects after the server restarts and its subscriptions keep receiving", async () => {
    const a = await connect("restart-a");
    const b = await connect("restart-b");
    try {
      const sub = b.subscribe("restart.test");
      await b.flush();
      a.publish("restart.test", new Uint8Array([1]));
      expect((await take(sub, 1))[0]?.data[0]).toBe(1);

      const reconnected = Promise.all([nextReconnect(a), nextReconnect(b)]);
      await server.restart();
      await reconnected;
      // The subscriber re-sent its SUB on reconnect; a round trip makes sure the server has it.
      await b.flush();
      a.publish("restart.test", new Uint8Array([2]));
      expect((await take(sub, 1))[0]?.data[0]).toBe(2);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("fails to connect to a server that is not there", async () => {
    await server.stop();
    try {
      await expect(connectNatsTransport({ servers: server.url, connectTimeoutMs: 2_000 })).rejects.toThrow();
    } finally {
      await server.start();
    }
  });
});
