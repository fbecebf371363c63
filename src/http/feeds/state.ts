/**
 * The live state a new subscription starts from: the latest event of every
 * key (each sensor's latest value, each unit's status, each model's latest
 * change) and the active alarms, fed by the same events the clients get.
 * Its size is one entry per sensor, unit, active alarm and model.
 */
import type { FeedEvent } from "./events.js";
import type { FeedSource } from "./source.js";

export interface SnapshotProvider {
  /** The current events that `matches` selects. */
  snapshot(matches: (event: FeedEvent) => boolean): FeedEvent[];
  /**
   * Every client's subscriptions (the hub's "kind unit sensor" triples),
   * told on each subscribe, unsubscribe and disconnect, for a provider
   * that gathers only what is asked for (a cluster node follows other
   * nodes' readings only for the units its clients watch). A subscription's
   * snapshot waits for the promise.
   */
  demand?(triples: ReadonlySet<string>): Promise<void>;
}

export class FeedState implements SnapshotProvider {
  private readonly latest = new Map<string, FeedEvent>();
  private readonly stopListening: () => void;

  constructor(source: FeedSource) {
    this.stopListening = source.listen((event) => this.apply(event));
  }

  apply(event: FeedEvent): void {
    if (event.state === "set") this.latest.set(event.key, event);
    else if (event.state === "clear") this.latest.delete(event.key);
  }

  /** The latest event of one key (`u/<unit>`, `s/<unit>/<sensor>`, `a/<alarm id>`, …). */
  get(key: string): FeedEvent | undefined {
    return this.latest.get(key);
  }

  get size(): number {
    return this.latest.size;
  }

  snapshot(matches: (event: FeedEvent) => boolean): FeedEvent[] {
    const out: FeedEvent[] = [];
    for (const event of this.latest.values()) if (matches(event)) out.push(event);
    return out;
  }

  stop(): void {
    this.stopListening();
  }
}
