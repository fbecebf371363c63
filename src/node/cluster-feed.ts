/**
 * A cluster node's feeds show every partition, not only its own: processed
 * readings from the output stream (VIGIL_PROCESSED) and unit states from the
 * latest-value stream (VIGIL_LATEST), each from the latest message of every
 * subject onwards — so a node that starts late, or a client that subscribes
 * to it, sees the units other nodes own at once — and alarm transitions from
 * their subjects. What a replay after a handoff repeats is dropped
 * (ReplayFilter). In a cluster the outlet tap does not feed the feeds: the
 * node's own publications come back this way, once.
 */
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { ALARM_SUBJECTS } from "../actors/alarm/index.js";
import { SUBJECTS } from "../actors/subjects.js";
import { ReplayFilter, type PublicationFeed } from "../http/feeds/index.js";
import { CLUSTER_NAMES, followStream } from "../runtime/cluster/index.js";
import type { Logger } from "../runtime/log.js";
import type { Transport } from "../runtime/transport/index.js";

/** The subjects the cluster keeps the latest message of. */
export const LATEST_SUBJECTS = [SUBJECTS.unitStateAll];

export interface ClusterFeed {
  readonly replays: ReplayFilter;
  stop(): Promise<void>;
}

export function feedFromCluster(parts: { nc: NatsConnection; transport: Transport; feed: PublicationFeed; logger: Logger }): ClusterFeed {
  const { feed } = parts;
  const log = parts.logger.child({ part: "cluster-feed" });
  const replays = new ReplayFilter();
  const decoder = new TextDecoder();
  const deliver = (subject: string, data: Uint8Array): void => {
    const json = decoder.decode(data);
    if (replays.fresh(subject, json)) feed.publication(subject, json);
  };
  const js = jetstream(parts.nc);
  const followers = [
    followStream(js, CLUSTER_NAMES.output, [SUBJECTS.processedAll], deliver, log),
    followStream(js, CLUSTER_NAMES.latest, LATEST_SUBJECTS, deliver, log),
  ];
  const alarms = parts.transport.subscribe(ALARM_SUBJECTS.transitionAll);
  void (async () => {
    for await (const msg of alarms) deliver(msg.subject, msg.data);
  })();
  return {
    replays,
    async stop() {
      alarms.unsubscribe();
      await Promise.all(followers.map((f) => f.stop()));
    },
  };
}
