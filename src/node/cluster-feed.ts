/**
 * A cluster node's feeds show every partition, not only its own. Unit
 * states come from the latest-value stream (VIGIL_LATEST) and alarm
 * transitions from their subjects, always: few, and the live state needs
 * every unit's (the unit list, the alarm service's alarmed units). Processed
 * readings — one per reading, most of the cluster's traffic — come from the
 * node's own partitions as they go into the output stream (`own`), and from
 * the output stream (VIGIL_PROCESSED) only for the units the feeds' clients
 * ask readings of, while they do (`demand`): a node following every reading
 * of the cluster did work for every reading on every node, so adding nodes
 * made each reading dearer. A follower starts at the latest message of each
 * of its subjects, so a client's snapshot, sent once it has caught up, holds
 * the latest readings of the units it asked for. What a replay after a
 * handoff repeats is dropped (ReplayFilter).
 */
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { ALARM_SUBJECTS } from "../actors/alarm/index.js";
import { SUBJECTS } from "../actors/subjects.js";
import { ReplayFilter, unitsWanted, type PublicationFeed } from "../http/feeds/index.js";
import { CLUSTER_NAMES, followStream, type StreamFollower } from "../runtime/cluster/index.js";
import type { Logger } from "../runtime/log.js";
import type { Transport } from "../runtime/transport/index.js";

/** The subjects the cluster keeps the latest message of. */
export const LATEST_SUBJECTS = [SUBJECTS.unitStateAll];

/** Longest a client's snapshot waits for a new follower to catch up (a stream unreachable for now must not hold it). */
const CATCH_UP_MS = 5_000;
/** What can stand as a subject token: a unit id with anything else never reached the output stream. */
const TOKEN = /^[^\s.*>]+$/;

export interface ClusterFeed {
  readonly replays: ReplayFilter;
  /** A processed reading of one of this node's partitions, as it goes into the output stream. */
  own(subject: string, json: string): void;
  /**
   * The feeds' clients' subscriptions now (the hub's triples): readings are
   * followed for the units they name (every unit for a pattern). Resolves
   * once what is newly followed has caught up.
   */
  demand(triples: ReadonlySet<string>): Promise<void>;
  stop(): Promise<void>;
}

interface Following {
  /** "all": every unit's readings. */
  readonly units: ReadonlySet<string> | "all";
  readonly follower: StreamFollower;
}

export function feedFromCluster(parts: { nc: NatsConnection; transport: Transport; feed: PublicationFeed; logger: Logger }): ClusterFeed {
  const { feed } = parts;
  const log = parts.logger.child({ part: "cluster-feed" });
  const replays = new ReplayFilter();
  const decoder = new TextDecoder();
  const publication = (subject: string, json: string): void => {
    if (replays.fresh(subject, json)) feed.publication(subject, json);
  };
  const deliver = (subject: string, data: Uint8Array): void => publication(subject, decoder.decode(data));
  const js = jetstream(parts.nc);
  const latest = followStream(js, CLUSTER_NAMES.latest, LATEST_SUBJECTS, deliver, log);
  const alarms = parts.transport.subscribe(ALARM_SUBJECTS.transitionAll);
  void (async () => {
    for await (const msg of alarms) deliver(msg.subject, msg.data);
  })();

  let stopped = false;
  let following: Following[] = [];
  const follow = (units: ReadonlySet<string> | "all"): Following => {
    const subjects = units === "all" ? [SUBJECTS.processedAll] : [...units].map((u) => SUBJECTS.processed(u, "*"));
    return { units, follower: followStream(js, CLUSTER_NAMES.output, subjects, deliver, log) };
  };
  const needed = (f: Following, wanted: ReadonlySet<string> | "all"): boolean =>
    wanted === "all" ? f.units === "all" : f.units !== "all" && [...f.units].some((u) => wanted.has(u));
  // One change at a time, in order: a follower is stopped only once what replaces it has caught up.
  const change = async (wanted: ReadonlySet<string> | "all"): Promise<void> => {
    if (stopped) return;
    let started: Following | undefined;
    if (wanted === "all") {
      if (!following.some((f) => f.units === "all")) started = follow("all");
    } else {
      const missing = [...wanted].filter((u) => !following.some((f) => f.units !== "all" && f.units.has(u)));
      if (missing.length > 0) started = follow(new Set(missing));
    }
    if (started !== undefined) {
      following.push(started);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([started.follower.caughtUp, new Promise((resolve) => (timer = setTimeout(resolve, CATCH_UP_MS)))]);
      clearTimeout(timer);
    }
    const drop = following.filter((f) => !needed(f, wanted));
    following = following.filter((f) => needed(f, wanted));
    await Promise.all(drop.map((f) => f.follower.stop()));
  };
  let changing = Promise.resolve();

  return {
    replays,
    own: publication,
    demand(triples) {
      const wanted = unitsWanted(triples, "sensor_data");
      const units = wanted === "all" ? "all" : new Set([...wanted].filter((u) => TOKEN.test(u)));
      const next = changing.then(() => change(units));
      changing = next.catch((err: unknown) => log.warn({ err: (err as Error).message }, "following the output stream for the feeds failed"));
      return changing;
    },
    async stop() {
      stopped = true;
      alarms.unsubscribe();
      await changing;
      await Promise.all([latest, ...following.map((f) => f.follower)].map((f) => f.stop()));
      following = [];
    },
  };
}
