/**
 * The five sensors of a simulated plant unit and their normal operating
 * bands. A unit running without an injected scenario keeps every value inside
 * its band (plant-unit.ts is built to that promise); scenarios push values
 * outside it.
 */

export const PLANT_SENSORS = ["temperature", "pressure", "flow_rate", "power", "vibration"] as const;
export type PlantSensor = (typeof PLANT_SENSORS)[number];

export interface SensorBand {
  readonly min: number;
  readonly max: number;
  /** Engineering unit, for logs, exports and the OPC UA address space. */
  readonly unit: string;
  /** Decimal places the instrument reports (its resolution), e.g. 2 for 0.01 °C. */
  readonly decimals: number;
}

export const SENSOR_BANDS: Readonly<Record<PlantSensor, SensorBand>> = {
  temperature: { min: -10, max: 40, unit: "°C", decimals: 2 },
  pressure: { min: 0.5, max: 8, unit: "bar", decimals: 3 },
  flow_rate: { min: 50, max: 300, unit: "L/min", decimals: 1 },
  power: { min: 30, max: 120, unit: "kW", decimals: 2 },
  // Velocity RMS; ISO 10816-3 puts the "damage occurs" zone above about 11 mm/s.
  vibration: { min: 0, max: 11, unit: "mm/s", decimals: 3 },
};

/** Index of each sensor in a unit's value arrays (the order of PLANT_SENSORS). */
export const SENSOR_INDEX: Readonly<Record<PlantSensor, number>> = {
  temperature: 0,
  pressure: 1,
  flow_rate: 2,
  power: 3,
  vibration: 4,
};

export function isPlantSensor(s: string): s is PlantSensor {
  return (PLANT_SENSORS as readonly string[]).includes(s);
}
