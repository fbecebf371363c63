/**
 * A PublicationFeed fed by transport subscriptions instead of the outlet
 * tap: what a cluster node needs to show every node's units, not only the
 * partitions it owns. A subscription drops its oldest messages when the
 * feed falls behind (counted in `dropped`); for a live view that is the
 * same trade conflation makes, and history is not fed from here.
 */
import { ALARM_SUBJECTS } from "../../actors/alarm/index.js";
import { SUBJECTS } from "../../actors/subjects.js";
import type { Subscription, Transport } from "../../runtime/transport/index.js";
import type { PublicationFeed } from "./source.js";

export interface TransportFeed {
  /** Messages the subscriptions dropped because the feed fell behind. */
  readonly dropped: number;
  stop(): void;
}

/** Every subject a feed event comes from. */
export const FEED_SUBJECTS = [SUBJECTS.processedAll, SUBJECTS.processedBatchAll, SUBJECTS.unitStateAll, ALARM_SUBJECTS.transitionAll] as const;

export function feedFromTransport(transport: Transport, feed: PublicationFeed): TransportFeed {
  const decoder = new TextDecoder();
  const subscriptions: Subscription[] = FEED_SUBJECTS.map((subject) => transport.subscribe(subject));
  for (const sub of subscriptions) {
    void (async () => {
      for await (const msg of sub) feed.publication(msg.subject, decoder.decode(msg.data));
    })();
  }
  return {
    get dropped() {
      return subscriptions.reduce((sum, s) => sum + s.dropped, 0);
    },
    stop() {
      for (const sub of subscriptions) sub.unsubscribe();
    },
  };
}
