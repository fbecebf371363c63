/**
 * What Vigil knows about a kind of sensor: its normal band, its hard limits,
 * what is wrong when it is off (the category), and the thresholds the unit's
 * rules read. Plain data, so it travels in kindConfig to the shard workers
 * and can be overridden per type in the node's config.
 *
 * The defaults match the plant the simulator models (a pump-and-motor set);
 * a sensor whose type is not listed gets only statistical checks.
 */
import type { Category } from "../readings/index.js";

export type Band = readonly [low: number, high: number];

export interface SensorTypeSpec {
  readonly category: Category | null;
  /** Engineering unit, for logs and the API. */
  readonly unit: string;
  /** Where the value belongs in normal operation; outside it is `out_of_range_*`. */
  readonly normal: Band;
  /** Trip levels; outside them is `limit_exceeded` and severity CRITICAL. */
  readonly limits: Band;
  /** Where a unit runs best (the OPTIMAL rule). @default the middle half of `normal` */
  readonly optimal?: Band;
  /** At or below this the machine is not running (power, flow): the SHUTDOWN rule. */
  readonly idleBelow?: number;
  /** Above this the unit is overloaded (power): the OVERLOAD rule. */
  readonly overloadAbove?: number;
  /** Smallest noise scale the z-score assumes (the instrument's resolution). @default 0.1 % of the normal band */
  readonly noiseFloor?: number;
  /**
   * Which way the value goes as the machine wears (a pump losing efficiency
   * runs hotter, draws more power and shakes more, for less pressure and
   * flow). The unit reads a degradation from sensors moving this way
   * together; a sensor without it takes no part.
   */
  readonly wear?: "rise" | "fall";
}

export const DEFAULT_SENSOR_TYPES: Readonly<Record<string, SensorTypeSpec>> = {
  temperature: { category: "THERMAL", unit: "°C", normal: [-10, 40], limits: [-20, 50], optimal: [0, 30], wear: "rise" },
  pressure: { category: "PRESSURE", unit: "bar", normal: [0.5, 8], limits: [0.25, 10], optimal: [2, 6.5], wear: "fall" },
  flow_rate: { category: "FLOW", unit: "L/min", normal: [50, 300], limits: [0, 350], optimal: [100, 250], idleBelow: 5, wear: "fall" },
  // The nameplate goes to 120 kW; sustained running above 100 kW is overload.
  power: { category: "ELECTRICAL", unit: "kW", normal: [30, 120], limits: [0, 150], optimal: [50, 95], idleBelow: 2, overloadAbove: 100, wear: "rise" },
  // Velocity RMS. ISO 10816-3: below 4.5 mm/s is good for long-term running, above about 11 damage occurs.
  vibration: { category: "MECHANICAL", unit: "mm/s", normal: [0, 11], limits: [0, 18], optimal: [0, 4.5], wear: "rise" },
};

/** Noise floor for a known type: 0.1 % of its normal band. */
const FLOOR_OF_BAND = 0.001;

/** The smallest noise scale to assume for a type: its `noiseFloor`, else 0.1 % of its normal band. */
export function noiseFloorOf(spec: SensorTypeSpec): number {
  return spec.noiseFloor ?? FLOOR_OF_BAND * (spec.normal[1] - spec.normal[0]);
}

/**
 * The spec for a sensor name: an exact match, else the longest type name the
 * sensor name starts with followed by `_`, `-` or a digit
 * (`temperature_2`, `power-b` → temperature, power); undefined when none fits.
 */
export function sensorTypeOf(types: Readonly<Record<string, SensorTypeSpec>>, sensor: string): { name: string; spec: SensorTypeSpec } | undefined {
  const exact = types[sensor];
  if (exact !== undefined) return { name: sensor, spec: exact };
  let best: string | undefined;
  for (const name of Object.keys(types)) {
    if (!sensor.startsWith(name) || sensor.length === name.length) continue;
    if (!/[-_0-9]/.test(sensor.charAt(name.length))) continue;
    if (best === undefined || name.length > best.length) best = name;
  }
  return best === undefined ? undefined : { name: best, spec: types[best] as SensorTypeSpec };
}

/** Middle halves of the normal bands of types without an optimal band, worked out once (a unit asks per sensor update). */
const MIDDLE_HALVES = new WeakMap<SensorTypeSpec, Band>();

/** The optimal band: as configured, or the middle half of the normal band. */
export function optimalBand(spec: SensorTypeSpec): Band {
  if (spec.optimal !== undefined) return spec.optimal;
  let band = MIDDLE_HALVES.get(spec);
  if (band === undefined) {
    const lo = spec.normal[0];
    const hi = spec.normal[1];
    const quarter = (hi - lo) / 4;
    MIDDLE_HALVES.set(spec, (band = [lo + quarter, hi - quarter]));
  }
  return band;
}

/** Why a sensor type spec is unusable, or undefined. */
export function sensorTypeProblem(name: string, spec: SensorTypeSpec): string | undefined {
  const band = (b: unknown): b is Band => Array.isArray(b) && b.length === 2 && b.every((x) => typeof x === "number" && Number.isFinite(x)) && (b[0] as number) <= (b[1] as number);
  if (!band(spec.normal)) return `sensorTypes.${name}.normal: expected [low, high] with low <= high`;
  if (!band(spec.limits)) return `sensorTypes.${name}.limits: expected [low, high] with low <= high`;
  if (spec.limits[0] > spec.normal[0] || spec.limits[1] < spec.normal[1]) return `sensorTypes.${name}.limits: expected to contain the normal band`;
  if (spec.optimal !== undefined && !band(spec.optimal)) return `sensorTypes.${name}.optimal: expected [low, high] with low <= high`;
  if (spec.wear !== undefined && spec.wear !== "rise" && spec.wear !== "fall") return `sensorTypes.${name}.wear: expected "rise" or "fall"`;
  return undefined;
}
