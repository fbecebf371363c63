/** NATS ingest over the in-process transport: the same specification as over nats-server. */
import { createInProcessBus, createInProcessTransport } from "../../../../src/runtime/transport/index.js";
import { runNatsIngestSpec } from "./nats-ingest.case.js";

runNatsIngestSpec("the in-process transport", () => {
  const bus = createInProcessBus();
  const [node, peer, device] = [createInProcessTransport({ bus }), createInProcessTransport({ bus }), createInProcessTransport({ bus })];
  return Promise.resolve({
    node,
    peer,
    device,
    cleanup: async () => {
      await Promise.all([node.close(), peer.close(), device.close()]);
    },
  });
});
