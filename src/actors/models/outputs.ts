/**
 * What a model's raw outputs mean, in one place for every reader of them
 * (the unit actors' scoring on the workers and the API's predict route):
 * an anomaly version's threshold, the operational state and its class
 * probabilities from `unit_state`, health from `unit_rul`'s hours, a solar
 * forecast's kW.
 */
import type { ModelVersion } from "../../ml/index.js";
import { OPERATIONAL_STATES, type OperationalState } from "../readings/index.js";

/**
 * The score at or above which an anomaly (or binary) version flags a row:
 * the version's own `threshold` (params, then metrics), else 0.5 for a
 * binary classifier and the configured `anomalyThreshold` for the rest.
 */
export function thresholdOf(v: Pick<ModelVersion, "task" | "params" | "metrics">, anomalyThreshold: number): number {
  const given = v.params["threshold"] ?? v.metrics["threshold"];
  if (given !== undefined && Number.isFinite(given)) return given;
  return v.task === "binary" ? 0.5 : anomalyThreshold;
}

/** An anomaly version's score of a row: a binary classifier gives [p(normal), p(anomalous)], an anomaly model its score alone. */
export function anomalyScoreOf(out: Float32Array, at: number, width: number): number {
  return out[at + width - 1] as number;
}

/** RUL as published: hours ≥ 0, three decimals; health min(1, hours / healthyRulHours), two decimals. */
export function rulOf(hoursOut: number, healthyRulHours: number): { rulHours: number; health: number } {
  const hours = Math.max(0, hoursOut);
  return { rulHours: Math.round(hours * 1000) / 1000, health: Math.round(Math.min(1, hours / healthyRulHours) * 100) / 100 };
}

/** The most probable operational state and each state's probability (six decimals), from `unit_state`'s `width` outputs at `out[at..]`. */
export function unitStateOf(out: Float32Array, at: number, width: number): { state: OperationalState; probabilities: Record<OperationalState, number> } {
  const probabilities = {} as Record<OperationalState, number>;
  let best = 0;
  OPERATIONAL_STATES.forEach((state, i) => {
    const p = i < width ? (out[at + i] as number) : 0;
    probabilities[state] = Math.round(p * 1e6) / 1e6;
    if (p > (out[at + best] as number)) best = i;
  });
  return { state: OPERATIONAL_STATES[best] as OperationalState, probabilities };
}

/** A `solar_forecast` output as published: kW, three decimals. */
export function powerKwOf(out: number): number {
  return Math.round(out * 1000) / 1000;
}
