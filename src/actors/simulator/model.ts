/**
 * The contract between a simulated plant (plant.ts, run-to-failure.ts) and
 * what drives it (generator.ts). A model advances one unit at a time to a
 * given instant and then reads that unit's sensors; it never looks at a
 * clock, so its output depends only on its seed and the instants it is
 * asked about.
 */
import type { UnitStatus } from "../readings/index.js";
import type { GroundTruth } from "./ground-truth.js";
import type { ActiveScenario, ScenarioRequest } from "./scenarios.js";
import type { SimulatedReading } from "./simulated-reading.js";

export const SIMULATOR_MODES = ["plant", "run-to-failure"] as const;
export type SimulatorMode = (typeof SIMULATOR_MODES)[number];

export interface SimulatedPlant {
  readonly mode: SimulatorMode;
  readonly unitIds: readonly string[];
  /** Every unit has the same sensors, in this order. */
  readonly sensorIds: readonly string[];
  readonly truth: GroundTruth;

  /**
   * Move unit `index` to instant `ts` (never earlier than its last one) and
   * sample its sensors. Returns false when the unit publishes nothing at
   * `ts` (it is offline).
   */
  advance(index: number, ts: number): boolean;
  /** Sensor `sensor` of unit `index` as sampled by its last `advance`, as a new reading. */
  read(index: number, sensor: number): SimulatedReading;
  /** Unit `index`'s status as of its last `advance`. */
  statusOf(index: number): UnitStatus;

  /** Start a scenario at `at` (epoch ms). Throws VIGIL_SIMULATOR_* errors for bad requests. */
  inject(request: ScenarioRequest, at: number): ActiveScenario;
  /** End scenarios early: one by id, or all of a unit's (of one kind). Returns how many ended. */
  clear(target: ScenarioTarget, at: number): number;
  /** Scenarios injected and not yet over at `at` (including one injected to start at the next sample). */
  activeScenarios(at: number): ActiveScenario[];
}

export type ScenarioTarget = { readonly id: string } | { readonly unit: string; readonly kind?: ScenarioRequest["kind"] };
