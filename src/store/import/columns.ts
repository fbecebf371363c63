/**
 * Column names become sensor ids, and the columns we know get a physical
 * range: what the quantity can be at all on this planet, not what is normal
 * for a machine. A value outside it is a broken sensor or a unit mix-up and
 * is removed (reason out_of_range). Normal-band and hard-limit checks are the
 * sensor actor's job (a live reading beyond a hard limit is a real alarm,
 * not bad data), so columns we do not know get no range here.
 */
import { ID_PATTERN } from "../../actors/readings/reading.js";

export interface PhysicalRange {
  readonly min: number;
  readonly max: number;
  /** Shown in messages, e.g. "W/m²". */
  readonly unit: string;
}

/** Irradiance may read a few W/m² below zero at night (pyranometer thermal offset); cloud enhancement can exceed the solar constant briefly. */
const IRRADIANCE: PhysicalRange = { min: -20, max: 1500, unit: "W/m²" };
const AIR_TEMPERATURE: PhysicalRange = { min: -90, max: 60, unit: "°C" }; // records: -89.2 and 56.7
const PERCENT: PhysicalRange = { min: 0, max: 100, unit: "%" };
const WIND_SPEED: PhysicalRange = { min: 0, max: 120, unit: "m/s" }; // record gust 113 m/s
const AIR_PRESSURE: PhysicalRange = { min: 300, max: 1100, unit: "mbar" }; // Everest's summit is about 330
const NON_NEGATIVE = (unit: string): PhysicalRange => ({ min: 0, max: Number.POSITIVE_INFINITY, unit });

const SOLAR_WEATHER: Readonly<Record<string, PhysicalRange>> = {
  ghi: IRRADIANCE,
  dni: IRRADIANCE,
  dhi: IRRADIANCE,
  clearsky_ghi: IRRADIANCE,
  clearsky_dni: IRRADIANCE,
  clearsky_dhi: IRRADIANCE,
  temperature: AIR_TEMPERATURE,
  dew_point: AIR_TEMPERATURE,
  relative_humidity: PERCENT,
  humidity: PERCENT,
  wind_speed: WIND_SPEED,
  wind_direction: { min: 0, max: 360, unit: "°" },
  pressure: AIR_PRESSURE,
  solar_zenith_angle: { min: 0, max: 180, unit: "°" },
  surface_albedo: { min: 0, max: 1, unit: "" },
  precipitable_water: { min: 0, max: 15, unit: "cm" },
};

const WEATHER: Readonly<Record<string, PhysicalRange>> = {
  ...SOLAR_WEATHER,
  temperature_c: AIR_TEMPERATURE,
  dew_point_c: AIR_TEMPERATURE,
  humidity_percent: PERCENT,
  wind_speed_ms: WIND_SPEED,
  wind_direction_deg: { min: 0, max: 360, unit: "°" },
  pressure_mb: AIR_PRESSURE,
  pressure_hpa: AIR_PRESSURE,
  cloud_cover_percent: PERCENT,
  precipitation_mm: { min: 0, max: 400, unit: "mm" }, // the wettest hour on record is about 305 mm
  solar_radiation_wm2: IRRADIANCE,
  ghi_wm2: IRRADIANCE,
};

/** Power may be negative (export), so only what cannot be. */
const METER: Readonly<Record<string, PhysicalRange>> = {
  voltage_v: NON_NEGATIVE("V"),
  current_a: NON_NEGATIVE("A"),
  frequency_hz: { min: 40, max: 70, unit: "Hz" }, // 50/60 Hz grids; far outside is a broken meter
  power_factor: { min: -1, max: 1, unit: "" },
  energy_kwh: NON_NEGATIVE("kWh"),
  apparent_power_kva: NON_NEGATIVE("kVA"),
};

/**
 * Ranges per format: a column name means a known quantity only inside a
 * format that defines it. In a long or generic wide file "temperature" may
 * be a bearing at 90 °C or "pressure" a pump's 4 bar, so they get none.
 */
const RANGES: Readonly<Record<string, Readonly<Record<string, PhysicalRange>>>> = {
  nsrdb: SOLAR_WEATHER,
  weather: WEATHER,
  meter: METER,
};

export function physicalRange(format: string, sensor: string): PhysicalRange | undefined {
  return RANGES[format]?.[sensor];
}

/** Columns that follow the sun, so a whole-file outlier rule would call every noon an outlier. */
const DIURNAL = new Set(["ghi", "dni", "dhi", "clearsky_ghi", "clearsky_dni", "clearsky_dhi", "solar_zenith_angle", "solar_radiation_wm2", "ghi_wm2"]);

export function isDiurnal(sensor: string): boolean {
  return DIURNAL.has(sensor);
}

/**
 * A column header as a sensor id: lower case, runs of anything but letters
 * and digits as one "_" ("Relative Humidity" → relative_humidity,
 * "Wind Speed (m/s)" → wind_speed_m_s). Undefined when nothing usable is left.
 */
export function sensorIdOf(header: string): string | undefined {
  const id = header
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 64);
  return ID_PATTERN.test(id) ? id : undefined;
}

/** A file name as a unit id: "Denver 2019 (30min).csv" → Denver_2019_30min. */
export function unitIdOfFile(fileStem: string): string | undefined {
  const id = fileStem
    .replace(/[^A-Za-z0-9_-]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 64);
  return ID_PATTERN.test(id) ? id : undefined;
}
