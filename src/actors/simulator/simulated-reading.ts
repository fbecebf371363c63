/**
 * What the simulator produces: a reading in the shape connectors hand to the
 * ingest gateway (a RawReading: unit, sensor, value, quality, timestamp),
 * carrying its own ground truth alongside. The truth fields are plain
 * primitives on the same object, so labelling a reading costs no extra
 * allocation; publishers encode only the wire fields.
 */
import type { OperationalState, ReadingQuality } from "../readings/index.js";
import type { ScenarioKind } from "./scenarios.js";

export interface SimulatedReading {
  readonly unit: string;
  readonly sensor: string;
  readonly value: number;
  readonly quality: ReadingQuality;
  /** When the value was measured, epoch milliseconds. */
  readonly timestamp: number;

  /** Ground truth: an injected scenario (or, in run-to-failure mode, wear) makes this reading abnormal. */
  readonly anomalous: boolean;
  /** The scenario affecting this sensor at this instant, if any. */
  readonly scenario: ScenarioKind | null;
  /** The unit's true operational state at this instant. */
  readonly state: OperationalState;
  /** Run-to-failure mode: cycles left until the unit fails (0 on its last cycle); null in plant mode. */
  readonly rulCycles: number | null;
  /** Run-to-failure mode: operating hours left until failure; null in plant mode. */
  readonly rulHours: number | null;
}
