/**
 * Engineered features of a file's validated readings, one row per unit and
 * instant: time of day and day of week as angles (so 23:59 sits next to
 * 00:00), each sensor's rolling statistics from src/ml/features — the same
 * code the sensor actor scores with, over windows suited to history files
 * (IMPORT_FEATURE_SPEC) — and, where the file allows, solar features:
 * the sun's zenith, a clear-sky GHI (Haurwitz), the clear-sky index, and with
 * a capacity (--capacity, kW) capacity-normalised power.
 */
import { featureRows, type FeatureSpec } from "../../ml/index.js";
import type { SiteInfo } from "./formats/index.js";
import type { Series } from "./series.js";
import { haurwitzGhi, MIN_IRRADIANCE_FOR_RATIO, solarZenithDeg } from "./solar.js";

/**
 * Rolling windows for history files, whose readings come every few minutes
 * to an hour (the live spec's 10–60 s windows would hold one sample): the
 * last 24 hours, plus an EWMA with a slow weight. A day is the natural cycle
 * of both plant load and the sun.
 */
export const IMPORT_FEATURE_SPEC: FeatureSpec = Object.freeze({
  counts: Object.freeze([]),
  durationsMs: Object.freeze([24 * 3_600_000]),
  ewmaAlpha: 0.1,
  maxSamples: 4096,
});

/** GHI columns, in order of preference, for the clear-sky index and expected power. */
const GHI_COLUMNS = ["ghi", "ghi_wm2", "solar_radiation_wm2"];
/** Measured power columns, kW, for the capacity factor. */
const POWER_COLUMNS = ["active_power_kw", "ac_power_kw", "power_kw"];
/** Irradiance of standard test conditions: a panel of capacity P kW makes P kW at 1000 W/m². */
const STC_IRRADIANCE = 1000;

export interface FeatureOptions {
  readonly site: SiteInfo;
  /** Rated capacity in kW (--capacity); no capacity features without it. */
  readonly capacityKw: number | undefined;
  /** Add `<sensor>_outlier` columns (when outliers were looked for). */
  readonly outlierColumns: boolean;
}

/** One unit's rows: numeric columns (NaN where a value is absent) plus timestamps. */
export interface FeatureTable {
  readonly unit: string;
  readonly ts: Float64Array;
  readonly columns: Map<string, Float64Array>;
}

/** A table per unit, in the order the units first appear. */
export function featureTables(series: readonly Series[], o: FeatureOptions): FeatureTable[] {
  const byUnit = new Map<string, Series[]>();
  for (const s of series) {
    const list = byUnit.get(s.unit);
    if (list === undefined) byUnit.set(s.unit, [s]);
    else list.push(s);
  }
  return [...byUnit.entries()].map(([unit, list]) => unitTable(unit, list, o));
}

function unitTable(unit: string, series: readonly Series[], o: FeatureOptions): FeatureTable {
  const ts = unionOfTimes(series);
  const rowOf = new Map<number, number>();
  ts.forEach((t, i) => rowOf.set(t, i));
  const n = ts.length;
  const columns = new Map<string, Float64Array>();
  const column = (name: string): Float64Array => {
    const c = new Float64Array(n).fill(Number.NaN);
    columns.set(name, c);
    return c;
  };
  addTimeFeatures(ts, o.site.utcOffsetHours, column);
  for (const s of series) {
    const values = column(s.sensor);
    const outliers = o.outlierColumns ? column(`${s.sensor}_outlier`) : undefined;
    const rows = Int32Array.from(s.ts, (t) => rowOf.get(t) as number);
    rows.forEach((r, i) => {
      values[r] = s.value[i] as number;
      if (outliers !== undefined) outliers[r] = s.outlier[i] as number;
    });
    const m = featureRows(IMPORT_FEATURE_SPEC, s.ts, s.value);
    const width = m.names.length;
    const targets = m.names.map((name) => column(`${s.sensor}_${name}`));
    for (let k = 0; k < m.rows; k++) {
      const r = rows[m.sourceIndex[k] as number] as number;
      for (let j = 0; j < width; j++) (targets[j] as Float64Array)[r] = m.data[k * width + j] as number;
    }
  }
  addSolarFeatures(ts, columns, o, column);
  return { unit, ts, columns };
}

function unionOfTimes(series: readonly Series[]): Float64Array {
  const all = new Set<number>();
  for (const s of series) for (const t of s.ts) all.add(t);
  return Float64Array.from(all).sort();
}

function addTimeFeatures(ts: Float64Array, utcOffsetHours: number, column: (name: string) => Float64Array): void {
  const hour = column("hour_of_day");
  const hourSin = column("hour_sin");
  const hourCos = column("hour_cos");
  const dow = column("day_of_week");
  const dowSin = column("dow_sin");
  const dowCos = column("dow_cos");
  const offsetMs = utcOffsetHours * 3_600_000;
  ts.forEach((t, i) => {
    const local = new Date(t + offsetMs);
    const h = local.getUTCHours() + local.getUTCMinutes() / 60 + local.getUTCSeconds() / 3600;
    const d = (local.getUTCDay() + 6) % 7; // Monday 0 … Sunday 6 (ISO order)
    hour[i] = h;
    hourSin[i] = Math.sin((2 * Math.PI * h) / 24);
    hourCos[i] = Math.cos((2 * Math.PI * h) / 24);
    dow[i] = d;
    dowSin[i] = Math.sin((2 * Math.PI * d) / 7);
    dowCos[i] = Math.cos((2 * Math.PI * d) / 7);
  });
}

function addSolarFeatures(ts: Float64Array, columns: ReadonlyMap<string, Float64Array>, o: FeatureOptions, column: (name: string) => Float64Array): void {
  const n = ts.length;
  const ghi = firstColumn(columns, GHI_COLUMNS);
  const power = firstColumn(columns, POWER_COLUMNS);
  const { latitude, longitude } = o.site;
  let clearSky: Float64Array | undefined;
  if (latitude !== undefined && longitude !== undefined) {
    const zenith = column("solar_zenith_deg");
    clearSky = column("clear_sky_ghi");
    for (let i = 0; i < n; i++) {
      zenith[i] = solarZenithDeg(ts[i] as number, latitude, longitude);
      clearSky[i] = haurwitzGhi(zenith[i] as number);
    }
    if (ghi !== undefined) {
      const index = column("clear_sky_index");
      for (let i = 0; i < n; i++) {
        const cs = clearSky[i] as number;
        if (cs >= MIN_IRRADIANCE_FOR_RATIO) index[i] = Math.max(0, ghi[i] as number) / cs;
      }
    }
  }
  const capacity = o.capacityKw;
  if (capacity === undefined) return;
  if (power !== undefined) {
    const factor = column("capacity_factor");
    for (let i = 0; i < n; i++) factor[i] = (power[i] as number) / capacity;
  }
  if (ghi !== undefined) {
    const expected = column("expected_power_kw");
    for (let i = 0; i < n; i++) expected[i] = (capacity * Math.max(0, ghi[i] as number)) / STC_IRRADIANCE;
  }
  if (clearSky !== undefined) {
    const clear = column("clear_sky_power_kw");
    for (let i = 0; i < n; i++) clear[i] = (capacity * (clearSky[i] as number)) / STC_IRRADIANCE;
  }
  if (power !== undefined && ghi !== undefined) {
    const ratio = column("performance_ratio");
    for (let i = 0; i < n; i++) {
      const g = ghi[i] as number;
      if (g >= MIN_IRRADIANCE_FOR_RATIO) ratio[i] = (power[i] as number) / capacity / (g / STC_IRRADIANCE);
    }
  }
}

function firstColumn(columns: ReadonlyMap<string, Float64Array>, names: readonly string[]): Float64Array | undefined {
  for (const name of names) {
    const c = columns.get(name);
    if (c !== undefined) return c;
  }
  return undefined;
}
