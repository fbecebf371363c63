/**
 * Serving simulated values from an OPC UA server: the simulator's OPC UA
 * server (PlantOpcUaServer, in ../opcua-*.ts) implements OpcUaValueSink, and
 * this publisher keeps its variables up to date. Defined here, structurally,
 * so the simulator needs no OPC UA library.
 */
import type { ReadingQuality, UnitStatus } from "../../readings/index.js";
import type { SimulatedReading } from "../simulated-reading.js";
import type { ReadingPublisher } from "./publisher.js";

export interface OpcUaValueSink {
  /** Create the unit's folder and one variable per sensor. */
  addUnit(unit: string, sensors: readonly string[]): void;
  /** `ts`: when the value was measured (epoch ms), served as its source timestamp. */
  setValue(unit: string, sensor: string, value: number, quality: ReadingQuality, ts?: number): void;
  /** Serve the unit's status (online, offline, maintenance), where the server has a node for it. */
  setStatus?(unit: string, status: UnitStatus): void;
}

export class ValueSinkPublisher implements ReadingPublisher {
  readonly name = "opcua";

  constructor(private readonly sink: OpcUaValueSink) {}

  open(units: readonly string[], sensors: readonly string[]): void {
    for (const unit of units) this.sink.addUnit(unit, sensors);
  }

  publish(batch: readonly SimulatedReading[]): void {
    for (const r of batch) this.sink.setValue(r.unit, r.sensor, r.value, r.quality, r.timestamp);
  }

  unitStatus(unit: string, status: UnitStatus): void {
    this.sink.setStatus?.(unit, status);
  }
}
