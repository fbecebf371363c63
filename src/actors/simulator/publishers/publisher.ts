/**
 * The one interface every way of sending simulated readings implements: into
 * the ingest gateway in-process, over MQTT, over NATS, or into an OPC UA
 * server's address space. The runner hands each batch to every publisher.
 * `open` is called once per set of devices that share sensors (the plant's
 * units, then the solar devices).
 */
import type { UnitStatus } from "../../readings/index.js";
import type { SimulatedReading } from "../simulated-reading.js";

export interface ReadingPublisher {
  /** Shown in the simulator's status, e.g. "mqtt". */
  readonly name: string;
  /**
   * Called before the first batch with the plant's units and sensors, and
   * again with the solar devices' (an OPC UA server builds its address
   * space from them).
   */
  open?(units: readonly string[], sensors: readonly string[]): void | Promise<void>;
  /**
   * Send one batch. A returned promise holds the runner back until it
   * settles, which is how a slow peer slows the simulator down instead of
   * piling readings up in memory. The batch must not be kept or changed.
   */
  publish(batch: readonly SimulatedReading[]): void | Promise<void>;
  /**
   * Send multi-field devices' readings (the solar devices): each device's
   * readings of one instant come consecutively, in the device's sensor
   * order, so a publisher can send them as one message. Without it they go
   * to `publish` like any reading.
   */
  publishDevices?(batch: readonly SimulatedReading[]): void | Promise<void>;
  /**
   * A unit's status (online, offline, maintenance), once per unit with the
   * first batch and then whenever it changes — an offline unit sends no
   * readings, so this is the only way to learn it is offline.
   */
  unitStatus?(unit: string, status: UnitStatus): void;
  /** Release what the publisher opened itself (connections); idempotent. */
  close?(): Promise<void>;
}
