/**
 * Publishing simulated readings on the transport (NATS in a cluster, or the
 * in-process bus), where the NATS ingest connector listens: one message per
 * reading on `SUBJECTS.ingestReading(unit, sensor)` with payload
 * `{"value","quality","timestamp"}`, or — as a gateway forwarding many
 * readings — arrays of up to `batchSize` readings on `SUBJECTS.ingestBatch`.
 */
import type { Transport } from "../../../runtime/transport/index.js";
import { SUBJECTS } from "../../subjects.js";
import type { SimulatedReading } from "../simulated-reading.js";
import { encodeBatch, encodeReading, type TimestampFormat } from "./payload.js";
import type { ReadingPublisher } from "./publisher.js";

export const NATS_PUBLISH_MODES = ["single", "batch"] as const;
export type NatsPublishMode = (typeof NATS_PUBLISH_MODES)[number];

export interface NatsPublisherOptions {
  /** @default "batch" */
  readonly mode?: NatsPublishMode;
  /** Most readings in one batch message (about 100 bytes each; NATS's default max payload is 1 MiB). @default 1000 */
  readonly batchSize?: number;
  /** @default "iso" */
  readonly timestamps?: TimestampFormat;
  /**
   * Wait until the server has everything (transport.flush) before the runner
   * sends the next batch: backpressure from the network. @default true
   */
  readonly flush?: boolean;
}

export const DEFAULT_NATS_BATCH_SIZE = 1000;

export class NatsPublisher implements ReadingPublisher {
  readonly name = "nats";
  private readonly mode: NatsPublishMode;
  private readonly batchSize: number;
  private readonly timestamps: TimestampFormat;
  private readonly flush: boolean;
  private readonly encoder = new TextEncoder();

  constructor(
    private readonly transport: Transport,
    options: NatsPublisherOptions = {},
  ) {
    this.mode = options.mode ?? "batch";
    this.batchSize = options.batchSize ?? DEFAULT_NATS_BATCH_SIZE;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new RangeError(`batchSize: expected a whole number >= 1, got ${this.batchSize}`);
    this.timestamps = options.timestamps ?? "iso";
    this.flush = options.flush ?? true;
  }

  publish(batch: readonly SimulatedReading[]): Promise<void> | void {
    if (batch.length === 0) return;
    if (this.mode === "single") {
      for (const r of batch) {
        this.transport.publish(SUBJECTS.ingestReading(r.unit, r.sensor), this.encoder.encode(encodeReading(r, this.timestamps)));
      }
    } else {
      for (let from = 0; from < batch.length; from += this.batchSize) {
        const to = Math.min(batch.length, from + this.batchSize);
        this.transport.publish(SUBJECTS.ingestBatch, this.encoder.encode(encodeBatch(batch, this.timestamps, from, to)));
      }
    }
    if (this.flush) return this.transport.flush();
  }
}
