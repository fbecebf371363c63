/**
 * The simulator's solar devices (SOLAR001..), each its own site weather and
 * array (solar-device.ts), sampled by a ReadingGenerator like the plant:
 * every device reads its three sensors at each tick, in SOLAR_SENSORS order,
 * so one device's readings of one instant are consecutive — the MQTT
 * publisher turns each such run into one multi-field message.
 *
 * Ground truth goes into the GroundTruth it is given (the plant's, so one
 * label feed covers both): each device's state (NORMAL while feeding in,
 * SHUTDOWN at night) from one change to the next. Solar devices take no
 * injected scenarios; their readings are never anomalous by construction.
 */
import { GroundTruth } from "./ground-truth.js";
import type { SampledDevices } from "./generator.js";
import { DEFAULT_SEED } from "./plant.js";
import type { SimulatedReading } from "./simulated-reading.js";
import { SolarDevice, type SolarSample } from "./solar-device.js";
import { SOLAR_ID_PREFIX, SOLAR_SENSORS } from "./solar-sensors.js";
import { unitIds } from "./unit-ids.js";

export interface SolarFarmOptions {
  /** @default 2 */
  readonly devices?: number;
  /** @default 1 */
  readonly seed?: number;
  /** Each device's array rating and inverter limit. @default 5 kW */
  readonly capacityKw?: number;
  /** @default Golden, Colorado (NREL): 39.74° N, 105.18° W */
  readonly latitudeDeg?: number;
  readonly longitudeDeg?: number;
  /** Where device states are recorded. @default a GroundTruth of its own */
  readonly truth?: GroundTruth;
}

export const DEFAULT_SOLAR_DEVICES = 2;
export const DEFAULT_SOLAR_CAPACITY_KW = 5;
export const DEFAULT_SOLAR_LATITUDE = 39.74;
export const DEFAULT_SOLAR_LONGITUDE = -105.18;

export class SolarFarm implements SampledDevices {
  readonly unitIds: readonly string[];
  readonly sensorIds: readonly string[] = SOLAR_SENSORS;
  readonly truth: GroundTruth;
  private readonly devices: SolarDevice[];

  constructor(options: SolarFarmOptions = {}) {
    const seed = options.seed ?? DEFAULT_SEED;
    const site = {
      capacityKw: options.capacityKw ?? DEFAULT_SOLAR_CAPACITY_KW,
      latitudeDeg: options.latitudeDeg ?? DEFAULT_SOLAR_LATITUDE,
      longitudeDeg: options.longitudeDeg ?? DEFAULT_SOLAR_LONGITUDE,
    };
    this.unitIds = unitIds(SOLAR_ID_PREFIX, options.devices ?? DEFAULT_SOLAR_DEVICES);
    this.devices = this.unitIds.map((id) => new SolarDevice(id, seed, site));
    this.truth = options.truth ?? new GroundTruth();
  }

  /** Device `index`'s values as of its last `advance`, with the truth behind them. */
  sampleOf(index: number): SolarSample {
    return this.devices[index]!.sample;
  }

  advance(index: number, ts: number): boolean {
    const device = this.devices[index]!;
    const before = Number.isNaN(device.lastSampleAt) ? undefined : device.sample.state;
    const sample = device.advance(ts);
    if (sample.state !== before) this.truth.recordState({ unit: device.id, ts, state: sample.state, status: "online", anomalous: false });
    return true;
  }

  read(index: number, sensor: number): SimulatedReading {
    const device = this.devices[index]!;
    const s = device.sample;
    const value = sensor === 0 ? s.ghi : sensor === 1 ? s.moduleTemperature : s.acPowerKw;
    return {
      unit: device.id,
      sensor: SOLAR_SENSORS[sensor]!,
      value,
      quality: "GOOD",
      timestamp: device.lastSampleAt,
      anomalous: false,
      scenario: null,
      state: s.state,
      rulCycles: null,
      rulHours: null,
    };
  }
}
