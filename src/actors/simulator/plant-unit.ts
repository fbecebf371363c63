/**
 * One simulated plant unit: a pump-and-motor set whose five sensors are tied
 * together through its load. Load follows a daily demand curve plus a slow
 * random wander; power, flow and temperature rise with it, wear slowly raises
 * temperature, power and vibration and lowers pressure and flow. Wear builds
 * with running time until the unit is taken into maintenance; units also trip
 * offline now and then and start up again. Scenarios bend the values on top.
 *
 * Without a scenario every value stays inside its sensor's band: the formulas
 * in `sample` are sized for the worst case of load, wear, ambient and noise
 * (noise is cut at NOISE_LIMIT standard deviations), and the tests check it.
 *
 * `advance` allocates nothing; only `read` makes the reading object.
 */
import type { OperationalState, ReadingQuality, UnitStatus } from "../readings/index.js";
import { PLANT_SENSORS, SENSOR_BANDS, SENSOR_INDEX } from "./plant-sensors.js";
import type { SeededRandom } from "./random.js";
import {
  MAX_MAGNITUDE,
  progressAt,
  rampAt,
  UNIT_FAULT_SCENARIOS,
  type ActiveScenario,
  type ScenarioKind,
} from "./scenarios.js";
import type { SimulatedReading } from "./simulated-reading.js";

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/** Noise is cut at this many standard deviations (see SeededRandom.clippedNormal). */
const NOISE_LIMIT = 4;
/** Standard deviation of the load's slow wander, and how fast it forgets (Ornstein–Uhlenbeck). */
const LOAD_WANDER_SD = 0.06;
const LOAD_WANDER_TAU_MS = 30 * 60 * 1000; // 30 minutes

/** Wear from which a unit's true state is DEGRADED. */
const DEGRADED_WEAR = 0.6;

const T = SENSOR_INDEX.temperature;
const P = SENSOR_INDEX.pressure;
const F = SENSOR_INDEX.flow_rate;
const W = SENSOR_INDEX.power;
const V = SENSOR_INDEX.vibration;
const SENSOR_COUNT = PLANT_SENSORS.length;
const SCALE = PLANT_SENSORS.map((s) => 10 ** SENSOR_BANDS[s].decimals);

/** How units behave on their own, without scenarios. */
export interface PlantBehaviour {
  /** Spontaneous trips offline, per unit per day of simulated time; 0 for none. @default 0.2 */
  readonly tripsPerDay: number;
  /** How long a trip keeps a unit offline, drawn between these. @default 5 and 20 minutes */
  readonly tripMinMs: number;
  readonly tripMaxMs: number;
  /** Wear (0..1) at which a unit is taken into maintenance, which resets its wear. @default 0.85 */
  readonly maintenanceAtWear: number;
  /** @default 30 minutes */
  readonly maintenanceMs: number;
  /** How long a unit takes to ramp up to full load after being offline or in maintenance. @default 5 minutes */
  readonly startupMs: number;
}

export const DEFAULT_PLANT_BEHAVIOUR: PlantBehaviour = {
  tripsPerDay: 0.2,
  tripMinMs: 5 * 60 * 1000, // 5 minutes
  tripMaxMs: 20 * 60 * 1000, // 20 minutes
  maintenanceAtWear: 0.85,
  maintenanceMs: 30 * 60 * 1000, // 30 minutes
  startupMs: 5 * 60 * 1000, // 5 minutes
};

export class PlantUnit {
  // The unit's character, drawn once from its own random stream.
  private readonly baseLoad: number;
  private readonly loadSwing: number;
  /** Hour of day (UTC) of peak demand. */
  private readonly peakHour: number;
  private readonly ambientOffset: number;
  private readonly wearPerHour: number;

  private lastTs = Number.NaN;
  private sampled = false;
  private loadWander: number;
  private load = 0;
  private wear: number;
  private statusUntil = 0;
  private startupFrom = Number.NEGATIVE_INFINITY;
  status: UnitStatus = "online";
  state: OperationalState = "NORMAL";

  private readonly values = new Float64Array(SENSOR_COUNT);
  private readonly qualities: ReadingQuality[] = new Array<ReadingQuality>(SENSOR_COUNT).fill("GOOD");
  private readonly scenarioOf: (ScenarioKind | null)[] = new Array<ScenarioKind | null>(SENSOR_COUNT).fill(null);
  /** The value a stuck sensor holds; NaN when it is not stuck. */
  private readonly stuckAt = new Float64Array(SENSOR_COUNT).fill(Number.NaN);
  /** Injected and not yet over, in injection order. */
  readonly scenarios: ActiveScenario[] = [];

  constructor(
    readonly id: string,
    private readonly rng: SeededRandom,
    private readonly behaviour: PlantBehaviour,
  ) {
    this.baseLoad = rng.between(0.45, 0.6);
    this.loadSwing = rng.between(0.15, 0.28);
    this.peakHour = rng.between(11, 16);
    this.ambientOffset = rng.between(-2, 2);
    this.wearPerHour = rng.between(0.004, 0.015);
    this.wear = rng.between(0.02, 0.3);
    this.loadWander = LOAD_WANDER_SD * rng.clippedNormal(NOISE_LIMIT);
  }

  /** The instant of the unit's last sample; NaN before the first. */
  get lastSampleAt(): number {
    return this.lastTs;
  }

  /** Move to `ts` and sample; false when the unit is offline and publishes nothing. */
  advance(ts: number): boolean {
    const dt = Number.isNaN(this.lastTs) ? 0 : Math.max(0, ts - this.lastTs);
    this.lastTs = ts;
    this.expireScenarios(ts);
    this.updateStatus(ts, dt);
    if (this.status === "offline") {
      this.state = "SHUTDOWN";
      return false;
    }
    this.updateLoad(ts, dt);
    if (this.status === "online") this.wear = Math.min(1, this.wear + (this.wearPerHour * dt * (0.5 + this.load)) / HOUR_MS);
    this.holdStuckSensors();
    this.sample(ts);
    this.applyScenarios(ts);
    if (!this.sampled) {
      // A sensor stuck from before the first sample holds that first sample.
      this.sampled = true;
      this.holdStuckSensors();
    }
    this.state = this.nextState(ts);
    return true;
  }

  read(sensor: number): SimulatedReading {
    const scenario = this.scenarioOf[sensor] ?? null;
    return {
      unit: this.id,
      sensor: PLANT_SENSORS[sensor]!,
      value: this.values[sensor]!,
      quality: this.qualities[sensor]!,
      timestamp: this.lastTs,
      anomalous: scenario !== null,
      scenario,
      state: this.state,
      rulCycles: null,
      rulHours: null,
    };
  }

  private expireScenarios(ts: number): void {
    for (let i = this.scenarios.length - 1; i >= 0; i--) {
      const s = this.scenarios[i]!;
      if (s.endsAt > ts) continue;
      this.scenarios.splice(i, 1);
      if (s.kind === "sensor_stuck") for (const name of s.sensors) this.stuckAt[indexOf(name)] = Number.NaN;
    }
  }

  private isActive(kind: ScenarioKind, ts: number): boolean {
    return this.scenarios.some((s) => s.kind === kind && s.startedAt <= ts);
  }

  private updateStatus(ts: number, dt: number): void {
    const b = this.behaviour;
    if (this.isActive("unit_offline", ts)) {
      this.status = "offline";
      this.statusUntil = ts; // back online as soon as the scenario is over
      return;
    }
    if (this.status !== "online") {
      if (ts < this.statusUntil) return;
      if (this.status === "maintenance") this.wear = this.rng.between(0.01, 0.05);
      this.status = "online";
      this.startupFrom = ts;
      return;
    }
    if (ts < this.startupFrom + b.startupMs) return; // no trips or maintenance while starting up
    if (this.wear >= b.maintenanceAtWear) {
      this.status = "maintenance";
      this.statusUntil = ts + b.maintenanceMs;
    } else if (b.tripsPerDay > 0 && dt > 0 && this.rng.chance(1 - Math.exp((-b.tripsPerDay * dt) / DAY_MS))) {
      this.status = "offline";
      this.statusUntil = ts + this.rng.between(b.tripMinMs, b.tripMaxMs);
    }
  }

  private updateLoad(ts: number, dt: number): void {
    if (dt > 0) {
      // Exact Ornstein–Uhlenbeck step: any tick length gives the same statistics.
      const decay = Math.exp(-dt / LOAD_WANDER_TAU_MS);
      this.loadWander = this.loadWander * decay + LOAD_WANDER_SD * Math.sqrt(1 - decay * decay) * this.rng.clippedNormal(NOISE_LIMIT);
    }
    const demand = clamp01(this.baseLoad + this.loadSwing * daily(ts, this.peakHour) + this.loadWander);
    if (this.status === "maintenance") this.load = 0;
    else if (ts < this.startupFrom + this.behaviour.startupMs) this.load = (demand * (ts - this.startupFrom)) / this.behaviour.startupMs;
    else this.load = demand;
  }

  /** A stuck sensor holds the value it showed just before its scenario began. */
  private holdStuckSensors(): void {
    if (!this.sampled) return;
    for (const s of this.scenarios) {
      if (s.kind !== "sensor_stuck" || s.startedAt > this.lastTs) continue;
      for (const name of s.sensors) {
        const j = indexOf(name);
        if (Number.isNaN(this.stuckAt[j]!)) this.stuckAt[j] = this.values[j]!;
      }
    }
  }

  /**
   * The values with no scenario. Worst cases (load and wear 0..1, ambient
   * 2..22 °C, noise ±4 sd) stay inside the bands, e.g. temperature at most
   * 22 + 10 + 4 + 1.2 = 37.2 °C, flow at least 80 - 15 - 8 = 57 L/min.
   */
  private sample(ts: number): void {
    const load = this.load;
    const wear = this.wear;
    const rng = this.rng;
    const ambient = 12 + this.ambientOffset + 8 * daily(ts, 15); // warmest mid-afternoon
    const v = this.values;
    v[T] = ambient + 10 * load + 4 * wear + 0.3 * rng.clippedNormal(NOISE_LIMIT);
    v[P] = 0.5 + 7.5 * (0.2 + 0.6 * load) - 0.8 * wear + 0.05 * rng.clippedNormal(NOISE_LIMIT);
    v[F] = 50 + 250 * (0.12 + 0.78 * load) - 15 * wear + 2 * rng.clippedNormal(NOISE_LIMIT);
    v[W] = 30 + 90 * (0.1 + 0.75 * load) + 6 * wear + rng.clippedNormal(NOISE_LIMIT);
    v[V] = 1 + 2.5 * load + 3 * wear + 0.15 * rng.clippedNormal(NOISE_LIMIT);
    const quality: ReadingQuality = this.status === "maintenance" ? "UNCERTAIN" : "GOOD";
    for (let j = 0; j < SENSOR_COUNT; j++) {
      this.qualities[j] = quality;
      this.scenarioOf[j] = null;
    }
  }

  private applyScenarios(ts: number): void {
    const v = this.values;
    for (const s of this.scenarios) {
      if (s.startedAt > ts) continue;
      const m = s.magnitude;
      switch (s.kind) {
        case "high_temperature":
          v[T] = approach(v[T]!, 40 + 15 * m, rampAt(s, ts)); // 55 °C at magnitude 1
          break;
        case "pressure_drop":
          v[P] = approach(v[P]!, Math.max(0, 0.5 - 0.35 * m), rampAt(s, ts)); // 0.15 bar at magnitude 1
          break;
        case "degradation": {
          const d = m * progressAt(s, ts);
          v[T] = v[T]! + 8 * d;
          v[P] = v[P]! - 1.2 * d;
          v[F] = v[F]! - 40 * d;
          v[W] = v[W]! + 12 * d;
          v[V] = v[V]! + 6 * d;
          break;
        }
        case "bad_quality":
          for (const name of s.sensors) {
            const j = indexOf(name);
            const band = SENSOR_BANDS[PLANT_SENSORS[j]!];
            this.qualities[j] = "BAD";
            v[j] = v[j]! + ((band.max - band.min) * m * this.rng.clippedNormal(NOISE_LIMIT)) / (4 * MAX_MAGNITUDE);
          }
          break;
        case "sensor_stuck":
        case "unit_offline":
          break; // held in holdStuckSensors / updateStatus
      }
      for (const name of s.sensors) {
        const j = indexOf(name);
        this.scenarioOf[j] ??= s.kind;
      }
    }
    for (let j = 0; j < SENSOR_COUNT; j++) {
      const stuck = this.stuckAt[j]!;
      // A stuck sensor repeats exactly what it last showed, so it is not re-rounded.
      v[j] = Number.isNaN(stuck) ? Math.round(v[j]! * SCALE[j]!) / SCALE[j]! : stuck;
    }
  }

  /** Hysteresis on the load thresholds keeps a wandering load from flapping the state every tick. */
  private nextState(ts: number): OperationalState {
    if (this.status !== "online") return "SHUTDOWN";
    if (ts < this.startupFrom + this.behaviour.startupMs) return "STARTUP";
    if (this.scenarios.some((s) => s.startedAt <= ts && UNIT_FAULT_SCENARIOS.has(s.kind))) return "FAULT";
    if (this.wear >= DEGRADED_WEAR || this.isActive("degradation", ts)) return "DEGRADED";
    const was = this.state;
    if (this.load > (was === "OVERLOAD" ? 0.87 : 0.9)) return "OVERLOAD";
    const slack = was === "OPTIMAL" ? 0.02 : 0;
    if (this.wear < 0.3 + slack && this.load >= 0.3 - slack && this.load <= 0.75 + slack) return "OPTIMAL";
    return "NORMAL";
  }
}

/** -1..1 over a day, peaking at `peakHour` (UTC). */
function daily(ts: number, peakHour: number): number {
  return Math.cos((2 * Math.PI * ((ts % DAY_MS) / HOUR_MS - peakHour)) / 24);
}

function approach(value: number, target: number, fraction: number): number {
  return value + (target - value) * fraction;
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

function indexOf(sensor: string): number {
  return SENSOR_INDEX[sensor as keyof typeof SENSOR_INDEX];
}
