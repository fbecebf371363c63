/**
 * A node's part in a cluster (`cluster.enabled` with `transport.kind:
 * "nats"`): the cluster member (src/runtime/cluster) over the node's NATS
 * connection, working its partitions through ClusterWork, and the route its
 * own connectors' readings take into the partitioned ingest stream. Stopping
 * it is a graceful leave: every partition is snapshotted and handed off first.
 */
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import type { VigilConfig } from "../config/index.js";
import type { IngestGateway, ReadingRoute } from "../actors/ingest/index.js";
import { SUBJECTS } from "../actors/subjects.js";
import type { ActorSystem } from "../runtime/index.js";
import { ClusterMember, StreamPublisher, type ClusterOptions } from "../runtime/cluster/index.js";
import type { Logger } from "../runtime/log.js";
import { clusterIngestRoute } from "./cluster-ingest.js";
import { ClusterWork } from "./cluster-work.js";
import { LATEST_SUBJECTS } from "./cluster-feed.js";

export interface NodeCluster {
  readonly member: ClusterMember;
  /** The outlet's first stop: true when the cluster took the publication. */
  takes(subject: string, json: string): boolean;
  /** Where the member's connectors hand valid readings: the ingest stream, split by partition. */
  readonly ingest: ReadingRoute;
  stop(): Promise<void>;
}

export function clusterOptionsOf(config: VigilConfig): ClusterOptions {
  const { enabled: _enabled, ...cluster } = config.cluster;
  return { nodeId: config.node.id, ...cluster };
}

export async function startNodeCluster(
  config: VigilConfig,
  parts: { nc: NatsConnection; system: ActorSystem; gateway: IngestGateway; logger: Logger; onOutput?: (subject: string, json: string) => void },
): Promise<NodeCluster> {
  const log = parts.logger.child({ part: "cluster" });
  const outputs = new StreamPublisher(parts.nc);
  const work = new ClusterWork(parts.system, parts.gateway, outputs, config.node.id, log, parts.onOutput);
  const member = new ClusterMember({ nc: parts.nc, options: clusterOptionsOf(config), work, log, outputSubjects: [SUBJECTS.processedAll], latestSubjects: LATEST_SUBJECTS });
  await member.start();
  return {
    member,
    takes: (subject, json) => work.takes(subject, json),
    ingest: clusterIngestRoute(jetstream(parts.nc), member.layout),
    async stop() {
      try {
        await member.stop(); // the partitions' last outputs are stored during the handoff
      } finally {
        outputs.close();
      }
    },
  };
}
