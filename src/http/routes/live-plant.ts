/**
 * The plant as the API reads it: each unit's latest state and each sensor's
 * latest processed reading, from the feeds' live state (FeedState). That
 * cache is fed by the same publications the WebSocket clients get, so the
 * API and the dashboard never disagree, and reading it costs no actor
 * messages (asking every unit actor for a list would wake passivated ones).
 * Only what changes a unit (maintenance) goes to the actor, as a message.
 *
 * In a cluster the cache follows the cluster's streams (node/cluster-feed.ts):
 * every node's units, so any node answers for any unit. Sensors' latest
 * readings of other nodes' units are followed only for the feeds' clients
 * that ask for them, so there the API reads them from the cluster
 * (`LatestReadings`, the output stream's latest message per subject).
 */
import type { ProcessedReading, UnitState } from "../../actors/readings/index.js";
import type { FeedEvent } from "../feeds/index.js";

/** What the live state must offer: FeedState. */
export interface LiveStateReader {
  get(key: string): FeedEvent | undefined;
  snapshot(matches: (event: FeedEvent) => boolean): FeedEvent[];
}

/** Where the latest processed readings are read when the live state does not hold them all (a cluster node). */
export interface LatestReadings {
  /** The latest processed reading of each of the unit's sensors, by sensor id. */
  sensors(unit: string): Promise<ProcessedReading[]>;
  sensor(unit: string, sensor: string): Promise<ProcessedReading | undefined>;
}

const isUnitStatus = (e: FeedEvent): boolean => e.kind === "unit_status";

/** A JSON body and the live state events it was made from. */
interface Memo {
  readonly events: readonly FeedEvent[];
  readonly json: string;
}

/** Whether `memo` was made from exactly `events`: a live state event is never changed, only replaced. */
function madeFrom(memo: Memo | undefined, events: readonly FeedEvent[]): memo is Memo {
  return memo !== undefined && memo.events.length === events.length && memo.events.every((e, i) => e === events[i]);
}

/**
 * Answers are memoised on the events they come from: units publish far
 * less often than dashboards poll, and parsing every published state and
 * writing it back as JSON was most of a read route's CPU. What is handed
 * out parsed (`unit`, `sensor`, `sensors`) is shared between requests:
 * callers copy, never change it.
 */
export class LivePlant {
  /** Each event's data, parsed once; an event replaced in the live state drops out with it. */
  private readonly parsed = new WeakMap<FeedEvent, unknown>();
  private unitsMemo: Memo | undefined;
  /** By unit id; only units the live state holds, so the maps are as bounded as the plant. */
  private readonly unitMemos = new Map<string, Memo>();
  private readonly sensorsMemos = new Map<string, Memo>();

  constructor(
    private readonly state: LiveStateReader,
    private readonly readings?: LatestReadings,
  ) {}

  /** `{"units":[…]}` as JSON, every unit's latest state by id. */
  unitsJson(): string {
    const events = this.state.snapshot(isUnitStatus);
    if (madeFrom(this.unitsMemo, events)) return this.unitsMemo.json;
    const units = events.map((e) => this.dataOf<UnitState>(e)).sort((a, b) => a.unit.localeCompare(b.unit));
    this.unitsMemo = { events, json: JSON.stringify({ units }) };
    return this.unitsMemo.json;
  }

  unit(unit: string): UnitState | undefined {
    const event = this.state.get(`u/${unit}`);
    return event === undefined ? undefined : this.dataOf<UnitState>(event);
  }

  /** The unit's latest state with `latest`, its sensors' latest processed readings, as JSON; undefined when the unit has not reported. */
  unitJson(unit: string): string | undefined {
    const event = this.state.get(`u/${unit}`);
    if (event === undefined) {
      this.unitMemos.delete(unit);
      return undefined;
    }
    const sensorEvents = this.sensorEvents(unit);
    const events = [event, ...sensorEvents];
    const memo = this.unitMemos.get(unit);
    if (madeFrom(memo, events)) return memo.json;
    const json = JSON.stringify({ ...this.dataOf<UnitState>(event), latest: this.readingsOf(sensorEvents) });
    this.unitMemos.set(unit, { events, json });
    return json;
  }

  /** `{"sensors":[…]}` as JSON, the latest processed reading of each of the unit's sensors by sensor id; undefined when the unit has none. */
  sensorsJson(unit: string): string | undefined {
    const events = this.sensorEvents(unit);
    if (events.length === 0) {
      this.sensorsMemos.delete(unit);
      return undefined;
    }
    const memo = this.sensorsMemos.get(unit);
    if (madeFrom(memo, events)) return memo.json;
    const json = JSON.stringify({ sensors: this.readingsOf(events) });
    this.sensorsMemos.set(unit, { events, json });
    return json;
  }

  sensor(unit: string, sensor: string): ProcessedReading | undefined {
    const event = this.state.get(`s/${unit}/${sensor}`);
    return event === undefined ? undefined : this.dataOf<ProcessedReading>(event);
  }

  /** `unitJson`, its sensors' readings from the cluster when the live state does not hold every unit's. */
  async unitBody(unit: string): Promise<string | undefined> {
    if (this.readings === undefined) return this.unitJson(unit);
    const state = this.unit(unit);
    return state === undefined ? undefined : JSON.stringify({ ...state, latest: await this.readings.sensors(unit) });
  }

  /** `sensorsJson`, from the cluster when the live state does not hold every unit's readings. */
  async sensorsBody(unit: string): Promise<string | undefined> {
    if (this.readings === undefined) return this.sensorsJson(unit);
    const sensors = await this.readings.sensors(unit);
    return sensors.length === 0 ? undefined : JSON.stringify({ sensors });
  }

  /** `sensor`, from the cluster when the live state does not hold every unit's readings. */
  latest(unit: string, sensor: string): Promise<ProcessedReading | undefined> {
    return this.readings?.sensor(unit, sensor) ?? Promise.resolve(this.sensor(unit, sensor));
  }

  private sensorEvents(unit: string): FeedEvent[] {
    return this.state.snapshot((e) => e.kind === "sensor_data" && e.unit === unit);
  }

  private readingsOf(events: readonly FeedEvent[]): ProcessedReading[] {
    return events.map((e) => this.dataOf<ProcessedReading>(e)).sort((a, b) => a.sensor.localeCompare(b.sensor));
  }

  private dataOf<T>(event: FeedEvent): T {
    let data = this.parsed.get(event);
    if (data === undefined) {
      data = (JSON.parse(event.json) as { data: unknown }).data;
      this.parsed.set(event, data);
    }
    return data as T;
  }
}
