/**
 * The rules a node ships with, matched to the built-in sensor types
 * (src/actors/sensor/sensor-types.ts: temperature trips at 50 °C, pressure
 * runs from 0.5 bar, vibration damages above 11 mm/s). The example
 * of 85 °C is a plant's own number; ours follows the trip limit the
 * simulated plant is built around. A rules file or the API adds to, replaces
 * or removes them (`alarms.defaultRules: false` leaves them out).
 */
import type { RuleInput } from "./schema.js";

export const DEFAULT_RULES: readonly RuleInput[] = [
  {
    id: "temperature_critical",
    name: "Temperature above its trip limit",
    severity: "CRITICAL",
    category: "THERMAL",
    message: "High temperature alert: {value}°C",
    condition: { type: "greater_than", sensor: "temperature", value: 50 },
    deadband: 2, // clears below 48 °C
    onDelayMs: 3_000, // 3 seconds above the limit
    offDelayMs: 10_000, // 10 seconds back below 48 °C
  },
  {
    id: "temperature_high",
    name: "Temperature above its normal band",
    severity: "HIGH",
    category: "THERMAL",
    message: "Temperature above normal: {value}°C",
    condition: { type: "greater_than", sensor: "temperature", value: 40 },
    deadband: 1,
    onDelayMs: 10_000,
    offDelayMs: 10_000,
    // The critical alarm says more; this one stays quiet while it is active.
    parent: "temperature_critical",
  },
  {
    id: "pressure_low",
    name: "Pressure below its normal band",
    severity: "HIGH",
    category: "PRESSURE",
    message: "Low pressure: {value} bar",
    condition: { type: "less_than", sensor: "pressure", value: 0.5 },
    deadband: 0.1,
    onDelayMs: 5_000,
    offDelayMs: 10_000,
  },
  {
    id: "vibration_high",
    name: "Vibration in the damage zone (ISO 10816-3)",
    severity: "HIGH",
    category: "MECHANICAL",
    message: "High vibration: {value} mm/s",
    condition: { type: "greater_than", sensor: "vibration", value: 11 },
    deadband: 0.5,
    onDelayMs: 5_000,
    offDelayMs: 10_000,
  },
  {
    id: "sensor_bad_quality",
    name: "A sensor reports BAD quality",
    severity: "MEDIUM",
    category: "INSTRUMENT",
    message: "Sensor {sensor} of {unit} reports BAD quality",
    condition: { type: "quality_bad", sensor: "*" },
    onDelayMs: 10_000,
    offDelayMs: 10_000,
  },
  {
    id: "sensor_stale",
    name: "A sensor has gone quiet",
    severity: "MEDIUM",
    category: "INSTRUMENT",
    message: "No reading from {sensor} of {unit} for 60 s",
    condition: { type: "stale", sensor: "*", afterMs: 60_000 },
  },
  {
    id: "unit_fault",
    name: "A unit is in FAULT",
    severity: "HIGH",
    category: "PROCESS",
    message: "Unit {unit} is in FAULT",
    condition: { type: "operational_state", states: ["FAULT"] },
    onDelayMs: 5_000,
  },
];
