/**
 * What the pipeline produces: a processed reading per accepted reading, and a
 * unit's state. These are published on the transport (subjects.ts) and are
 * the contract for alarms, history, the API and the dashboard.
 */
import type { IngestSource, ReadingQuality } from "./reading.js";

export const SEVERITIES = ["LOW", "MEDIUM", "HIGH", "CRITICAL"] as const;
export type Severity = (typeof SEVERITIES)[number];

export const CATEGORIES = ["THERMAL", "PRESSURE", "FLOW", "MECHANICAL", "ELECTRICAL"] as const;
export type Category = (typeof CATEGORIES)[number];

/** How a score was produced: a trained model, the statistical detector, or plain rules. */
export const SCORING_METHODS = ["MODEL", "STATISTICAL", "RULES"] as const;
export type ScoringMethod = (typeof SCORING_METHODS)[number];

export interface ProcessedReading {
  unit: string;
  sensor: string;
  ts: number;
  value: number;
  quality: ReadingQuality;
  source: IngestSource;
  anomaly: boolean;
  /** 0 (normal) .. 1 (certainly anomalous). */
  score: number;
  severity: Severity | null;
  category: Category | null;
  method: ScoringMethod;
  model_version: string | null;
  /** Why it is anomalous, e.g. "stuck", "out_of_range", "zscore"; empty when normal. */
  reasons: string[];
  receivedAt: number;
  processedAt: number;
}

export const UNIT_STATUSES = ["online", "offline", "maintenance"] as const;
export type UnitStatus = (typeof UNIT_STATUSES)[number];

export const OPERATIONAL_STATES = ["STARTUP", "OPTIMAL", "NORMAL", "DEGRADED", "OVERLOAD", "FAULT", "SHUTDOWN"] as const;
export type OperationalState = (typeof OPERATIONAL_STATES)[number];

export interface SensorSnapshot {
  value: number;
  ts: number;
  quality: ReadingQuality;
  anomaly: boolean;
  score: number;
}

export interface UnitState {
  unit: string;
  status: UnitStatus;
  operationalState: OperationalState;
  severity: Severity | null;
  category: Category | null;
  /** 0 (failed) .. 1 (healthy). */
  health: number;
  method: ScoringMethod;
  sensors: Record<string, SensorSnapshot>;
  lastReadingAt: number | null;
  updatedAt: number;
}
