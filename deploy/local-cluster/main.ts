/**
 * `npx tsx deploy/local-cluster/main.ts [--nodes 3] [--partitions 64]`: a
 * three-server NATS cluster and N Vigil nodes on loopback until Ctrl-C.
 * Prints the NATS URLs (publish readings to vigil.ingest.reading.<unit>.<sensor>;
 * processed readings are in the VIGIL_PROCESSED stream) and the log files.
 */
import { parseArgs } from "node:util";
import { LOCAL_CLUSTER_API_KEY, startLocalCluster } from "./launcher.js";

const { values } = parseArgs({ options: { nodes: { type: "string", default: "3" }, partitions: { type: "string", default: "64" } } });
const cluster = await startLocalCluster({ nodes: Number(values.nodes), partitions: Number(values.partitions) });
process.stdout.write(
  `NATS: ${cluster.nats.urls.join(",")}\n` + cluster.nodes.map((n) => `${n.id}: pid ${n.pid}, ${n.httpUrl} (X-API-Key: ${LOCAL_CLUSTER_API_KEY}), log ${n.logFile}`).join("\n") + "\nCtrl-C stops everything.\n",
);
const stop = (): void => {
  void cluster.stop().then(() => process.exit(0));
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
