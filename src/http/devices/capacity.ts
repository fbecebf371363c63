/**
 * A registered device's capacity bounds its forecast, wherever the forecast
 * goes out (the API's answer, the MQTT publication): the model knows the
 * weather and the hour, not the panels, and a PV device produces between 0
 * and its rated kW. `power_kw` is clipped to [0, capacity] and the model's
 * own figure stays in `model_power_kw` (one far over capacity is worth a
 * look at the model or the registration).
 */
import type { PowerForecast } from "../../actors/readings/index.js";
import type { DeviceStore } from "./store.js";

export interface BoundedForecast extends PowerForecast {
  /** The model's own forecast, before the device's capacity bounds it. */
  model_power_kw: number;
  /** The registered device's capacity; null for a device that reports without being registered. */
  capacity_kw: number | null;
}

/** The forecast clipped to [0, capacityKw] when the device is registered (capacityKw defined), the model's figure kept beside it. */
export function withinCapacity(forecast: PowerForecast, capacityKw: number | undefined): BoundedForecast {
  const power = capacityKw === undefined ? forecast.power_kw : Math.min(capacityKw, Math.max(0, forecast.power_kw));
  return { unit: forecast.unit, ts: forecast.ts, power_kw: power, model_power_kw: forecast.power_kw, capacity_kw: capacityKw ?? null, model_version: forecast.model_version };
}

/** `device`'s registered capacity in kW; undefined when it is not registered. */
export function capacityOf(devices: Pick<DeviceStore, "find">, device: string): number | undefined {
  return devices.find(device)?.capacityKw;
}
