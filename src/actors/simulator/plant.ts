/**
 * The simulated plant: N units (UNIT001..) with five sensors each, the
 * scenarios injected into them, and the ground truth of both. Deterministic:
 * the readings depend only on the seed, the instants each unit is advanced
 * to, and the scenarios injected (with their instants).
 */
import { VigilError } from "../../runtime/index.js";
import type { UnitStatus } from "../readings/index.js";
import { GroundTruth } from "./ground-truth.js";
import type { ScenarioTarget, SimulatedPlant } from "./model.js";
import { PLANT_SENSORS } from "./plant-sensors.js";
import { DEFAULT_PLANT_BEHAVIOUR, PlantUnit, type PlantBehaviour } from "./plant-unit.js";
import { SeededRandom } from "./random.js";
import { affectedSensors, parseScenarioRequest, type ActiveScenario, type ScenarioRequest } from "./scenarios.js";
import type { SimulatedReading } from "./simulated-reading.js";
import { unitIds } from "./unit-ids.js";

export interface PlantOptions {
  /** @default 5 */
  readonly units?: number;
  /** @default 1 */
  readonly seed?: number;
  /** Unit ids are this plus a zero-padded number. @default "UNIT" */
  readonly unitPrefix?: string;
  /** Trips, maintenance and start-up; any field left out keeps its default. */
  readonly behaviour?: Partial<PlantBehaviour>;
  /** Keep ground-truth records (turn off for benches). @default true */
  readonly recordTruth?: boolean;
}

export const DEFAULT_PLANT_UNITS = 5;
export const DEFAULT_SEED = 1;

export class Plant implements SimulatedPlant {
  readonly mode = "plant";
  readonly unitIds: readonly string[];
  readonly sensorIds: readonly string[] = PLANT_SENSORS;
  readonly truth: GroundTruth;
  private readonly units: PlantUnit[];
  private readonly indexById: ReadonlyMap<string, number>;
  private scenarioSeq = 0;

  constructor(options: PlantOptions = {}) {
    const seed = options.seed ?? DEFAULT_SEED;
    const behaviour = { ...DEFAULT_PLANT_BEHAVIOUR, ...options.behaviour };
    this.unitIds = unitIds(options.unitPrefix ?? "UNIT", options.units ?? DEFAULT_PLANT_UNITS);
    this.units = this.unitIds.map((id) => new PlantUnit(id, SeededRandom.stream(seed, id), behaviour));
    this.indexById = new Map(this.unitIds.map((id, i) => [id, i]));
    this.truth = new GroundTruth({ record: options.recordTruth ?? true });
  }

  advance(index: number, ts: number): boolean {
    const unit = this.units[index]!;
    const before = unit.state;
    const beforeStatus = unit.status;
    const first = Number.isNaN(unit.lastSampleAt);
    const publishing = unit.advance(ts);
    if (first || unit.state !== before || unit.status !== beforeStatus) {
      this.truth.recordState({ unit: unit.id, ts, state: unit.state, status: unit.status, anomalous: false });
    }
    return publishing;
  }

  read(index: number, sensor: number): SimulatedReading {
    return this.units[index]!.read(sensor);
  }

  statusOf(index: number): UnitStatus {
    return this.units[index]!.status;
  }

  /**
   * A scenario starts at `at`, or just after the unit's last sample if that
   * is later, so no reading already produced is contradicted by the truth.
   */
  inject(request: ScenarioRequest, at: number): ActiveScenario {
    const valid = parseScenarioRequest(request);
    const unit = this.unit(valid.unit);
    const startedAt = Math.max(at, nextInstant(unit));
    const scenario: ActiveScenario = {
      id: `sc-${++this.scenarioSeq}`,
      unit: unit.id,
      kind: valid.kind,
      sensors: affectedSensors(valid, this.sensorIds),
      magnitude: valid.magnitude ?? 1,
      startedAt,
      endsAt: startedAt + valid.durationMs,
    };
    unit.scenarios.push(scenario);
    this.truth.recordScenario(scenario);
    return scenario;
  }

  clear(target: ScenarioTarget, at: number): number {
    const units = "id" in target ? this.units : [this.unit(target.unit)];
    let cleared = 0;
    for (const unit of units) {
      const end = Math.max(at, nextInstant(unit));
      for (let i = 0; i < unit.scenarios.length; i++) {
        const s = unit.scenarios[i]!;
        const match = "id" in target ? s.id === target.id : target.kind === undefined || s.kind === target.kind;
        if (!match || s.endsAt <= end) continue;
        // Shortened rather than removed: the unit itself expires it at its next sample.
        unit.scenarios[i] = { ...s, endsAt: Math.max(s.startedAt, end) };
        this.truth.recordScenarioEnd(s.id, Math.max(s.startedAt, end));
        cleared++;
      }
    }
    return cleared;
  }

  activeScenarios(at: number): ActiveScenario[] {
    return this.units.flatMap((u) => u.scenarios.filter((s) => s.endsAt > at));
  }

  private unit(id: string): PlantUnit {
    const index = this.indexById.get(id);
    if (index === undefined) throw new VigilError("VIGIL_SIMULATOR_UNKNOWN_UNIT", `no simulated unit "${id}"`);
    return this.units[index]!;
  }
}

/** The earliest instant a change can take effect without rewriting readings already produced. */
function nextInstant(unit: PlantUnit): number {
  return Number.isNaN(unit.lastSampleAt) ? Number.NEGATIVE_INFINITY : unit.lastSampleAt + 1;
}
