/**
 * One simulated solar device: a horizontal PV array with a pyranometer, a
 * module temperature probe and an inverter, at a site given by latitude and
 * longitude.
 *
 * - Sun: the zenith angle from the NOAA/Spencer approximations and the
 *   Haurwitz clear-sky GHI (the same code `vigil import` uses for NSRDB
 *   files, src/store/import/solar.ts), so the diurnal and seasonal curves are
 *   real ones for the site.
 * - Clouds: each local day draws a regime (clear, broken, overcast); within
 *   it the cloud cover wanders (Ornstein–Uhlenbeck, 10-minute time constant),
 *   so irradiance moves smoothly rather than in steps a z-score would flag.
 * - Temperatures: ambient follows the season and the afternoon peak; the
 *   module runs above it with irradiance (NOCT 45 °C) and follows with a
 *   5-minute thermal lag.
 * - Power: capacity × irradiance / 1000 W/m² × (1 + γ (T_module − 25 °C)),
 *   γ = −0.4 %/K (crystalline silicon), times the inverter's efficiency,
 *   clipped at the inverter's rating (the capacity). At night the inverter
 *   draws a few watts of standby power.
 *
 * Instruments are noisy as real ones are — at night the pyranometer reads a
 * few W/m² below zero (thermal offset) and the meter shows the standby draw —
 * so a dark array is not a flat line to the stuck-sensor rule.
 *
 * Time-continuous: the random processes are stepped exactly for any gap, so
 * a 1-second and a 10-second feed describe the same kind of weather.
 */
import type { OperationalState } from "../readings/index.js";
import { haurwitzGhi, solarZenithDeg } from "../../store/import/solar.js";
import { SeededRandom } from "./random.js";

const MINUTE_MS = 60 * 1000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const YEAR_DAYS = 365.25;

/** Standard test conditions: a panel of capacity P kW makes P kW at 1000 W/m² and 25 °C. */
const STC_IRRADIANCE = 1000; // W/m²
const STC_TEMPERATURE = 25; // °C
/** Power temperature coefficient of crystalline silicon. */
const GAMMA_PER_K = -0.004;
/** Nominal operating cell temperature: the module at 800 W/m², 20 °C ambient. */
const NOCT = 45; // °C
const INVERTER_EFFICIENCY = 0.97;
const STANDBY_KW = -0.004; // the inverter's own draw at night
const CLOUD_TAU_MS = 10 * MINUTE_MS;
const MODULE_TAU_MS = 5 * MINUTE_MS;
const AMBIENT_WANDER_TAU_MS = 2 * HOUR_MS;
/** Noise is cut at this many standard deviations. */
const NOISE_LIMIT = 4;

/** Cloud cover of each day's regime and how often it is drawn (cumulative). */
const REGIMES: readonly { readonly upTo: number; readonly cover: number }[] = [
  { upTo: 0.4, cover: 0.05 }, // clear
  { upTo: 0.8, cover: 0.5 }, // broken clouds
  { upTo: 1, cover: 0.9 }, // overcast
];

export interface SolarSite {
  /** Array rating and inverter limit, kW. */
  readonly capacityKw: number;
  readonly latitudeDeg: number;
  readonly longitudeDeg: number;
}

/** A device's values as of its last `advance`, true and as measured. */
export interface SolarSample {
  /** Clear-sky GHI at the site, W/m² (ground truth). */
  readonly clearSkyGhi: number;
  /** Fraction of the clear-sky irradiance reaching the array, 0–1 (ground truth). */
  readonly clearness: number;
  /** Irradiance reaching the array, W/m² (ground truth). */
  readonly trueGhi: number;
  /** Measured values, rounded to the instruments' resolution. */
  readonly ghi: number;
  readonly moduleTemperature: number;
  readonly acPowerKw: number;
  /** NORMAL while the inverter feeds in, SHUTDOWN while it stands by. */
  readonly state: OperationalState;
}

export class SolarDevice {
  private readonly rand: SeededRandom;
  private lastTs = Number.NaN;
  private cloud = 0;
  private ambientWander = 0;
  private module = Number.NaN;
  private dayIndex = Number.NaN;
  private dayCover = 0;
  private current: SolarSample | undefined;

  constructor(
    readonly id: string,
    private readonly seed: number,
    readonly site: SolarSite,
  ) {
    this.rand = SeededRandom.stream(seed, `solar/${id}`);
  }

  get sample(): SolarSample {
    if (this.current === undefined) throw new Error(`solar device ${this.id} has not been advanced yet`);
    return this.current;
  }

  get lastSampleAt(): number {
    return this.lastTs;
  }

  /** Moves the device to `ts` (not earlier than its last instant) and samples it. */
  advance(ts: number): SolarSample {
    const first = Number.isNaN(this.lastTs);
    const dt = first ? 0 : Math.max(0, ts - this.lastTs);
    this.lastTs = ts;
    const r = this.rand;
    this.cloud = first ? r.normal() : ou(this.cloud, dt, CLOUD_TAU_MS, r);
    this.ambientWander = first ? r.normal() : ou(this.ambientWander, dt, AMBIENT_WANDER_TAU_MS, r);
    const cover = this.coverOn(ts);

    const clearSkyGhi = haurwitzGhi(solarZenithDeg(ts, this.site.latitudeDeg, this.site.longitudeDeg));
    const clearness = 1 - cover * (0.3 + 0.7 / (1 + Math.exp(-2 * this.cloud)));
    const trueGhi = clearSkyGhi * clearness;

    const ambient = this.ambientAt(ts, cover) + 1.5 * this.ambientWander;
    const target = ambient + (trueGhi / 800) * (NOCT - 20);
    this.module = first ? target : target + (this.module - target) * Math.exp(-dt / MODULE_TAU_MS);

    const dcKw = (this.site.capacityKw * trueGhi * (1 + GAMMA_PER_K * (this.module - STC_TEMPERATURE))) / STC_IRRADIANCE;
    const producing = dcKw * INVERTER_EFFICIENCY > -STANDBY_KW;
    const acKw = producing ? Math.min(this.site.capacityKw, dcKw * INVERTER_EFFICIENCY) * (1 + 0.003 * r.clippedNormal(NOISE_LIMIT)) : STANDBY_KW + 0.002 * r.clippedNormal(NOISE_LIMIT);
    const ghi = trueGhi > 0 ? trueGhi * (1 + 0.005 * r.clippedNormal(NOISE_LIMIT)) + r.clippedNormal(NOISE_LIMIT) : -1.5 + 0.8 * r.clippedNormal(NOISE_LIMIT);

    this.current = {
      clearSkyGhi,
      clearness,
      trueGhi,
      ghi: round(ghi, 1),
      moduleTemperature: round(this.module + 0.1 * r.clippedNormal(NOISE_LIMIT), 2),
      acPowerKw: round(acKw, 3),
      state: producing ? "NORMAL" : "SHUTDOWN",
    };
    return this.current;
  }

  /** The day's cloud regime, drawn once per local day (from local midnight, when the sun is down). */
  private coverOn(ts: number): number {
    const day = Math.floor((ts + (this.site.longitudeDeg / 15) * HOUR_MS) / DAY_MS);
    if (day !== this.dayIndex) {
      this.dayIndex = day;
      const u = SeededRandom.stream(this.seed, `solar/${this.id}/day/${day}`).next();
      this.dayCover = (REGIMES.find((g) => u < g.upTo) ?? REGIMES[REGIMES.length - 1]!).cover;
    }
    return this.dayCover;
  }

  /** Ambient temperature: the season's mean (coldest in mid-January up north) and an afternoon peak, smaller under clouds. */
  private ambientAt(ts: number, cover: number): number {
    const dayOfYear = (ts / DAY_MS) % YEAR_DAYS;
    const hemisphere = this.site.latitudeDeg >= 0 ? 1 : -1;
    const seasonal = 12 - hemisphere * 10 * Math.cos((2 * Math.PI * (dayOfYear - 20)) / YEAR_DAYS);
    const solarHour = (((ts / HOUR_MS + this.site.longitudeDeg / 15) % 24) + 24) % 24;
    const swing = 6 * (1 - 0.5 * cover);
    return seasonal + swing * Math.cos((2 * Math.PI * (solarHour - 15)) / 24);
  }
}

/** One exact step of a unit Ornstein–Uhlenbeck process over `dt`. */
function ou(x: number, dt: number, tauMs: number, r: SeededRandom): number {
  const decay = Math.exp(-dt / tauMs);
  return x * decay + Math.sqrt(1 - decay * decay) * r.normal();
}

function round(v: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.round(v * scale) / scale;
}
