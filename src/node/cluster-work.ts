/**
 * What a cluster node does with its partitions' readings (the runtime's
 * `PartitionWork`): each ingest message goes through the ingest gateway to
 * its sensor actor; the processed reading the actor publishes goes into the
 * output stream with a message id made of (partition, input sequence), so a
 * replay after a handoff or failover produces no second output; the input
 * is acknowledged once that publish is stored. A member's own batch (one
 * message per partition, src/node/cluster-ingest.ts) is applied reading by
 * reading, each output's id adding the reading's place in the batch. A
 * reading the sensor actor
 * refuses as a duplicate (sensor, timestamp at or before its last) has no
 * output and is done at once.
 *
 * A partition's actors are the sensors it has seen, their units and the
 * units' alarm actors; their states are exported and imported in mailbox
 * order (runtime state-transfer messages).
 *
 * Each tenure logs, when it ends, the span of processing times of what it
 * applied (`partition tenure ended`): the evidence that two owners never
 * worked on one partition at the same time.
 */
import type { Logger } from "pino";
import { decodeReadingPayload } from "../actors/connectors/index.js";
import type { IngestGateway } from "../actors/ingest/index.js";
import { alarmAddress } from "../actors/alarm/index.js";
import { isIngestSource, isRejection, processedNumberField, unitAddress, type IngestSource, type RawReading } from "../actors/readings/index.js";
import { SUBJECTS } from "../actors/subjects.js";
import { exportState, importState, type ActorSystem } from "../runtime/index.js";
import { isPartitionBatch, type PartitionMessage, type PartitionWork, type StreamPublisher } from "../runtime/cluster/index.js";
import type { PartitionBatch } from "./cluster-ingest.js";

const PROCESSED_PREFIX = SUBJECTS.processed("", "").slice(0, -1); // "vigil.processed."
const OUTPUT_RETRIES = 5;
/** State imports asked at once when a partition is restored. */
const RESTORE_AT_ONCE = 256;

interface Pending {
  readonly partition: number;
  readonly seq: number;
  /** The output's message id: (partition, input sequence[, place in the batch]). */
  readonly id: string;
  readonly epoch: number;
  resolve(): void;
  reject(err: Error): void;
}

interface Tenure {
  readonly epoch: number;
  readonly sensors: Set<string>;
  readonly units: Set<string>;
  applied: number;
  firstProcessedAt: number;
  lastProcessedAt: number;
}

export class ClusterWork implements PartitionWork {
  /** Readings handed to their actors, waiting for their output; by `unit/sensor/ts`, oldest first. */
  private readonly pending = new Map<string, Pending[]>();
  private readonly tenures = new Map<number, Tenure>();
  /** Per partition, the hand-on of its last message applied (settled either way): the next one's readings go after it. */
  private readonly handing = new Map<number, Promise<void>>();

  constructor(
    private readonly system: ActorSystem,
    private readonly gateway: IngestGateway,
    /** Into the output stream, many publishes in flight at once. */
    private readonly out: Pick<StreamPublisher, "publish">,
    private readonly nodeId: string,
    private readonly log: Logger,
    /** Each output as it goes into the output stream (tagged): this node's feeds show its own partitions from here. */
    private readonly onOutput?: (subject: string, json: string) => void,
  ) {}

  async restore(partition: number, epoch: number, actors: [string, unknown][]): Promise<void> {
    const tenure = this.tenureOf(partition, epoch);
    for (const [address] of actors) {
      const [kind, unit, sensor] = address.split("/");
      if (kind === "sensor" && unit !== undefined && sensor !== undefined) tenure.sensors.add(`${unit}/${sensor}`);
      if (unit !== undefined) tenure.units.add(unit);
    }
    // Each actor takes only its own state and nothing is applied before all have answered, so the asks need no order:
    // asked one at a time, a takeover's restore cost one round trip to the workers per actor before consuming began.
    // Bounded, so a partition of many actors does not flood the workers' mailboxes at once.
    for (let i = 0; i < actors.length; i += RESTORE_AT_ONCE) {
      await Promise.all(actors.slice(i, i + RESTORE_AT_ONCE).map(([address, state]) => this.system.ask(address, importState(state))));
    }
  }

  async apply(m: PartitionMessage): Promise<void> {
    // The owner applies many of a partition's messages at once, but their readings must reach the actors in stream
    // order: a batch hands its readings on one await at a time, so two batches sharing a sensor interleaved, the actor
    // saw a later reading first and refused the earlier ones as duplicates — never output. Each message is handed on
    // once the one before it has been; the waits for outputs still overlap.
    const previous = this.handing.get(m.partition);
    const handed = previous === undefined ? this.handOnMessage(m) : previous.then(() => this.handOnMessage(m));
    const settled = handed.then(noop, noop);
    this.handing.set(m.partition, settled);
    void settled.then(() => {
      if (this.handing.get(m.partition) === settled) this.handing.delete(m.partition);
    });
    await (await handed).output;
  }

  /** Hands a message's readings to their actors; resolves, once they have them, with the wait for their outputs. */
  private async handOnMessage(m: PartitionMessage): Promise<{ output: Promise<unknown> }> {
    if (isPartitionBatch(m.tokens)) return this.handOnBatch(m);
    const [unit, sensor] = m.tokens;
    const fields = decodeReadingPayload(m.data);
    if ("reason" in fields) {
      this.gateway.reject("nats", fields.reason, fields.detail);
      return { output: Promise.resolve() };
    }
    // The stream's timestamp stands in for a missing one, so a replay gives the reading the same identity.
    return this.handOn(m, { unit, sensor, ...fields, timestamp: fields.timestamp ?? m.storedAt }, "nats", `${m.partition}-${m.seq}`);
  }

  /** A member's batch for this partition: its readings in order, done once each has its output (or was refused). */
  private async handOnBatch(m: PartitionMessage): Promise<{ output: Promise<unknown> }> {
    let batch: Partial<PartitionBatch>;
    try {
      batch = JSON.parse(new TextDecoder().decode(m.data)) as Partial<PartitionBatch>;
    } catch {
      this.gateway.reject("nats", "malformed_payload", `partition batch at sequence ${m.seq} is not JSON`);
      return { output: Promise.resolve() };
    }
    const source = isIngestSource(batch.source) ? batch.source : "nats";
    const readings = Array.isArray(batch.readings) ? batch.readings : [];
    const outputs: Promise<void>[] = [];
    for (let i = 0; i < readings.length; i++) outputs.push((await this.handOn(m, readings[i] as RawReading, source, `${m.partition}-${m.seq}-${i}`)).output);
    return { output: Promise.all(outputs) };
  }

  /** Submits a reading to its actor; resolves, once the actor has it, with the wait for its output (wrapped: a promise would be adopted). */
  private async handOn(m: PartitionMessage, raw: RawReading, source: IngestSource, id: string): Promise<{ output: Promise<void> }> {
    const result = await this.gateway.submit(raw, source);
    if (isRejection(result)) return { output: Promise.resolve() };
    const tenure = this.tenureOf(m.partition, m.epoch);
    tenure.sensors.add(`${result.unit}/${result.sensor}`);
    tenure.units.add(result.unit);
    // The actor's output arrives in a later macrotask (from its worker), so the entry is in place first.
    const output = new Promise<void>((resolve, reject) => {
      const key = `${result.unit}/${result.sensor}/${result.ts}`;
      const entry: Pending = { partition: m.partition, seq: m.seq, id, epoch: m.epoch, resolve, reject };
      const list = this.pending.get(key);
      if (list === undefined) this.pending.set(key, [entry]);
      else list.push(entry);
    });
    return { output };
  }

  async export(partition: number): Promise<[string, unknown][]> {
    const tenure = this.tenures.get(partition);
    if (tenure === undefined) return [];
    // Sensors first: once they answer, what they told their unit and alarm actors is queued ahead of those asks.
    // Each group is asked at once (the partition is paused meanwhile): one round trip to the workers per group.
    const sensors = [...tenure.sensors].sort().map((s) => `sensor/${s}`);
    const units = [...tenure.units].sort().flatMap((u) => [unitAddress(u), alarmAddress(u)]);
    const states: [string, unknown][] = [];
    for (const group of [sensors, units]) {
      const answers = await Promise.all(group.map((address) => this.system.ask(address, exportState())));
      group.forEach((address, i) => {
        if (answers[i] !== undefined) states.push([address, answers[i]]);
      });
    }
    return states;
  }

  forget(partition: number, epoch: number): void {
    const tenure = this.tenures.get(partition);
    if (tenure === undefined || tenure.epoch !== epoch) return;
    this.tenures.delete(partition);
    this.log.info(
      { partition, epoch, node: this.nodeId, applied: tenure.applied, firstProcessedAt: tenure.firstProcessedAt, lastProcessedAt: tenure.lastProcessedAt },
      "partition tenure ended",
    );
  }

  /**
   * The node's outlet calls this for every publication; true when it took
   * it (a processed reading of an owned partition's input, now on its way
   * into the output stream).
   */
  takes(subject: string, json: string): boolean {
    if (subject.startsWith(PROCESSED_PREFIX)) return this.output(subject, json);
    if (subject === SUBJECTS.rejected) this.refused(json);
    return false;
  }

  private output(subject: string, json: string): boolean {
    const ts = processedNumberField(json, '"ts":');
    const rest = subject.slice(PROCESSED_PREFIX.length); // unit.sensor
    const dot = rest.indexOf(".");
    const key = `${rest.slice(0, dot)}/${rest.slice(dot + 1)}/${ts}`;
    const entry = this.take(key);
    if (entry === undefined) return false;
    const tenure = this.tenures.get(entry.partition);
    const processedAt = processedNumberField(json, '"processedAt":');
    if (tenure !== undefined && tenure.epoch === entry.epoch) {
      tenure.applied++;
      if (tenure.firstProcessedAt === 0) tenure.firstProcessedAt = processedAt;
      tenure.lastProcessedAt = Math.max(tenure.lastProcessedAt, processedAt);
    } else {
      // Handed to its actor before the tenure ended, processed after: said out loud, it is what fencing must bound.
      this.log.warn({ partition: entry.partition, epoch: entry.epoch, node: this.nodeId, processedAt }, "output after its tenure ended");
    }
    // Tagged with the tenure that produced it: consumers (and the tests) can order owners by epoch.
    const tagged = `${json.slice(0, -1)},"node":${JSON.stringify(this.nodeId)},"partition":${entry.partition},"epoch":${entry.epoch},"seq":${entry.seq}}`;
    this.onOutput?.(subject, tagged);
    void this.publish(subject, tagged, entry.id, entry);
    return true;
  }

  private async publish(subject: string, json: string, msgID: string, entry: Pending): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.out.publish(subject, json, msgID);
        entry.resolve();
        return;
      } catch (err) {
        if (attempt >= OUTPUT_RETRIES) {
          entry.reject(err as Error);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  }

  /** A duplicate refused by its sensor actor: no output will come; it is done. */
  private refused(json: string): void {
    let report: { reason?: unknown; unit?: unknown; sensor?: unknown; ts?: unknown };
    try {
      report = JSON.parse(json) as typeof report;
    } catch {
      return;
    }
    if (report.reason !== "duplicate") return;
    this.take(`${String(report.unit)}/${String(report.sensor)}/${String(report.ts)}`)?.resolve();
  }

  private take(key: string): Pending | undefined {
    const list = this.pending.get(key);
    const entry = list?.shift();
    if (list !== undefined && list.length === 0) this.pending.delete(key);
    return entry;
  }

  private tenureOf(partition: number, epoch: number): Tenure {
    let tenure = this.tenures.get(partition);
    if (tenure === undefined || tenure.epoch !== epoch) {
      tenure = { epoch, sensors: new Set(), units: new Set(), applied: 0, firstProcessedAt: 0, lastProcessedAt: 0 };
      this.tenures.set(partition, tenure);
    }
    return tenure;
  }
}

function noop(): void {
  // a settled hand-on, whatever its outcome: the apply that awaits it reports a failure
}
