/**
 * The plant as the API reads it: each unit's latest state and each sensor's
 * latest processed reading, from the feeds' live state (FeedState). That
 * cache is fed by the same publications the WebSocket clients get, so the
 * API and the dashboard never disagree, and reading it costs no actor
 * messages (asking every unit actor for a list would wake passivated ones).
 * Only what changes a unit (maintenance) goes to the actor, as a message.
 *
 * In a cluster the cache follows the cluster's streams (node/cluster-feed.ts):
 * every node's units, so any node answers for any unit.
 */
import type { ProcessedReading, UnitState } from "../../actors/readings/index.js";
import type { FeedEvent } from "../feeds/index.js";

/** What the live state must offer: FeedState. */
export interface LiveStateReader {
  get(key: string): FeedEvent | undefined;
  snapshot(matches: (event: FeedEvent) => boolean): FeedEvent[];
}

function dataOf<T>(event: FeedEvent): T {
  return (JSON.parse(event.json) as { data: T }).data;
}

const isUnitStatus = (e: FeedEvent): boolean => e.kind === "unit_status";

export class LivePlant {
  /** The last `unitsJson` answer and the events it was made from: a live state event is never changed, only replaced. */
  private unitsMemo: { readonly events: FeedEvent[]; readonly json: string } | undefined;

  constructor(private readonly state: LiveStateReader) {}

  /**
   * `{"units":[…]}` as JSON, every unit's latest state by id: made again only when a unit's state has
   * changed since the last call. Units publish far less often than
   * dashboards poll, and parsing and writing every unit's state again was
   * most of the list route's CPU.
   */
  unitsJson(): string {
    const events = this.state.snapshot(isUnitStatus);
    const memo = this.unitsMemo;
    if (memo !== undefined && memo.events.length === events.length && memo.events.every((e, i) => e === events[i])) return memo.json;
    const units = events.map((e) => dataOf<UnitState>(e)).sort((a, b) => a.unit.localeCompare(b.unit));
    const json = JSON.stringify({ units });
    this.unitsMemo = { events, json };
    return json;
  }

  unit(unit: string): UnitState | undefined {
    const event = this.state.get(`u/${unit}`);
    return event === undefined ? undefined : dataOf<UnitState>(event);
  }

  /** The latest processed reading of each of the unit's sensors, by sensor id. */
  sensors(unit: string): ProcessedReading[] {
    return this.state
      .snapshot((e) => e.kind === "sensor_data" && e.unit === unit)
      .map((e) => dataOf<ProcessedReading>(e))
      .sort((a, b) => a.sensor.localeCompare(b.sensor));
  }

  sensor(unit: string, sensor: string): ProcessedReading | undefined {
    const event = this.state.get(`s/${unit}/${sensor}`);
    return event === undefined ? undefined : dataOf<ProcessedReading>(event);
  }
}
