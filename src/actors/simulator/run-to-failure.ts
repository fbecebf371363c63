/**
 * Run-to-failure mode, for remaining-useful-life work: a fleet of units
 * (ENG001..) that wear out, C-MAPSS style. Each `advance` of a unit is one
 * operating cycle (a flight); every sensor drifts with the unit's wear plus
 * measurement noise. A life starts with random initial wear and wears along
 *
 *   wear(c) = w0 + a·(e^(b·c) − 1),   chosen so that wear(failureCycle) = 1,
 *
 * flat at first, then an exponential-ish onset, as in C-MAPSS. The failure
 * cycle is drawn when the unit is installed, so the true RUL of every
 * reading is exact: failureCycle − cycle (and that times the unit's hours per
 * cycle). On the cycle after it fails, the slot gets a new unit (life + 1).
 */
import { VigilError } from "../../runtime/index.js";
import type { OperationalState, UnitStatus } from "../readings/index.js";
import { GroundTruth } from "./ground-truth.js";
import type { ScenarioTarget, SimulatedPlant } from "./model.js";
import { SeededRandom } from "./random.js";
import type { ActiveScenario, ScenarioRequest } from "./scenarios.js";
import type { SimulatedReading } from "./simulated-reading.js";
import { FIRST_WEAR, TURBOFAN_SENSORS } from "./turbofan-sensors.js";
import { unitIds } from "./unit-ids.js";

export interface RunToFailureOptions {
  /** @default 100 */
  readonly units?: number;
  /** @default 1 */
  readonly seed?: number;
  /** @default "ENG" */
  readonly unitPrefix?: string;
  /**
   * Start each slot's first unit part-way through its life, so the fleet
   * shows every RUL from the first cycle on instead of all units failing
   * together. Those first lives are truncated (LifeRecord.firstCycle > 1);
   * every replacement runs from new. @default true
   */
  readonly staggerStart?: boolean;
  /** Keep ground-truth records. @default true */
  readonly recordTruth?: boolean;
}

export const DEFAULT_FLEET_UNITS = 100;

/** Median life in cycles and its log-normal spread: FD001's lives run 128..362 cycles, mean ~206. */
const MEDIAN_LIFE_CYCLES = 200;
const LIFE_SIGMA = 0.22;
const MIN_LIFE_CYCLES = 100;
/** Wear from which a unit is DEGRADED (about its last 15 % of life). */
const DEGRADED_WEAR = 0.5;
const NOISE_LIMIT = 4;

interface Life {
  readonly number: number;
  readonly initialWear: number;
  readonly a: number;
  readonly b: number;
  readonly failureCycle: number;
  readonly hoursPerCycle: number;
  /** Per-sensor scaling of the drift: each unit's fault signature differs a little. */
  readonly sensitivity: Float64Array;
  cycle: number;
  installed: boolean;
}

const SENSOR_COUNT = TURBOFAN_SENSORS.length;
const SCALE = TURBOFAN_SENSORS.map((s) => 10 ** s.decimals);

export class RunToFailureFleet implements SimulatedPlant {
  readonly mode = "run-to-failure";
  readonly unitIds: readonly string[];
  readonly sensorIds: readonly string[] = TURBOFAN_SENSORS.map((s) => s.id);
  readonly truth: GroundTruth;
  private readonly rngs: SeededRandom[];
  private readonly lives: Life[];
  /** The state last recorded in the ground truth; null before the first cycle. */
  private readonly states: (OperationalState | null)[];
  private readonly timestamps: Float64Array;
  private readonly values: Float64Array;

  constructor(options: RunToFailureOptions = {}) {
    const seed = options.seed ?? 1;
    this.unitIds = unitIds(options.unitPrefix ?? "ENG", options.units ?? DEFAULT_FLEET_UNITS);
    this.truth = new GroundTruth({ record: options.recordTruth ?? true });
    this.rngs = this.unitIds.map((id) => SeededRandom.stream(seed, id));
    const stagger = options.staggerStart ?? true;
    this.lives = this.rngs.map((rng) => {
      const life = newLife(rng, 1);
      if (stagger) life.cycle = rng.int(Math.floor(life.failureCycle * 0.8));
      return life;
    });
    this.states = this.unitIds.map(() => null);
    this.timestamps = new Float64Array(this.unitIds.length);
    this.values = new Float64Array(this.unitIds.length * SENSOR_COUNT);
  }

  /** One operating cycle of unit `index`. Always publishes. */
  advance(index: number, ts: number): boolean {
    const unit = this.unitIds[index]!;
    const rng = this.rngs[index]!;
    let life = this.lives[index]!;
    if (life.cycle >= life.failureCycle) this.lives[index] = life = newLife(rng, life.number + 1);
    life.cycle++;
    this.timestamps[index] = ts;
    if (!life.installed) {
      life.installed = true;
      this.truth.recordInstalled({ unit, life: life.number, installedAt: ts, firstCycle: life.cycle, failureCycle: life.failureCycle, hoursPerCycle: life.hoursPerCycle });
    }
    const wear = wearAt(life, life.cycle);
    const base = index * SENSOR_COUNT;
    for (let j = 0; j < SENSOR_COUNT; j++) {
      const s = TURBOFAN_SENSORS[j]!;
      const drift = ((s.failure - s.first) * (wear - FIRST_WEAR)) / (1 - FIRST_WEAR);
      const value = s.first + drift * life.sensitivity[j]! + s.noise * rng.clippedNormal(NOISE_LIMIT);
      this.values[base + j] = Math.round(value * SCALE[j]!) / SCALE[j]!;
    }
    const state: OperationalState = life.cycle >= life.failureCycle ? "FAULT" : wear >= DEGRADED_WEAR ? "DEGRADED" : "NORMAL";
    if (state !== this.states[index]) {
      this.states[index] = state;
      this.truth.recordState({ unit, ts, state, status: "online", anomalous: state !== "NORMAL" });
    }
    if (state === "FAULT") this.truth.recordFailed(unit, life.number, ts);
    return true;
  }

  read(index: number, sensor: number): SimulatedReading {
    const life = this.lives[index]!;
    const state = this.states[index] ?? "NORMAL";
    const rulCycles = life.failureCycle - life.cycle;
    return {
      unit: this.unitIds[index]!,
      sensor: this.sensorIds[sensor]!,
      value: this.values[index * SENSOR_COUNT + sensor]!,
      quality: "GOOD",
      timestamp: this.timestamps[index]!,
      anomalous: state !== "NORMAL",
      scenario: null,
      state,
      rulCycles,
      rulHours: rulCycles * life.hoursPerCycle,
    };
  }

  /** A failed unit is replaced at once, so every slot is always online. */
  statusOf(_index: number): UnitStatus {
    return "online";
  }

  /** The current wear (0..1) of each unit: the hidden health the sensors reflect, for checks and plots. */
  wear(index: number): number {
    const life = this.lives[index]!;
    return wearAt(life, life.cycle);
  }

  inject(_request: ScenarioRequest, _at: number): ActiveScenario {
    throw new VigilError("VIGIL_SIMULATOR_BAD_SCENARIO", "run-to-failure units wear out on their own; scenarios need plant mode");
  }

  clear(_target: ScenarioTarget, _at: number): number {
    return 0;
  }

  activeScenarios(_at: number): ActiveScenario[] {
    return [];
  }
}

function newLife(rng: SeededRandom, number: number): Life {
  const failureCycle = Math.max(MIN_LIFE_CYCLES, Math.round(rng.logNormal(MEDIAN_LIFE_CYCLES, LIFE_SIGMA)));
  const initialWear = rng.between(0, 2 * FIRST_WEAR);
  // b·failureCycle sets how late the onset comes: 3 is gradual, 6 a sharp knee near the end.
  const b = rng.between(3, 6) / failureCycle;
  const a = (1 - initialWear) / Math.expm1(b * failureCycle);
  const sensitivity = new Float64Array(SENSOR_COUNT);
  for (let j = 0; j < SENSOR_COUNT; j++) sensitivity[j] = rng.between(0.8, 1.2);
  return { number, initialWear, a, b, failureCycle, hoursPerCycle: rng.between(1, 3), sensitivity, cycle: 0, installed: false };
}

function wearAt(life: Life, cycle: number): number {
  return life.initialWear + life.a * Math.expm1(life.b * cycle);
}
