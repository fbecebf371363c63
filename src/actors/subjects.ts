/**
 * The transport subjects of the telemetry pipeline, in one place. Unit and
 * sensor ids are single subject tokens (readings/reading.ts ID_PATTERN).
 */
export const SUBJECTS = {
  /** One reading; payload: a bare number or `{value, quality?, timestamp?}`. */
  ingestReading: (unit: string, sensor: string) => `vigil.ingest.reading.${unit}.${sensor}`,
  ingestReadingAll: "vigil.ingest.reading.*.*",
  /** Many readings from a gateway; payload: `[{unit, sensor, value, quality?, timestamp?}, ...]`. */
  ingestBatch: "vigil.ingest.batch",
  /** A ProcessedReading for every accepted reading. */
  processed: (unit: string, sensor: string) => `vigil.processed.${unit}.${sensor}`,
  processedAll: "vigil.processed.>",
  /**
   * Processed readings gathered per unit (transport.processed = "unit-batch"):
   * a JSON array of ProcessedReading, each sensor's in order. Its own root, so
   * `vigil.processed.>` subscribers never see an array.
   */
  processedBatch: (unit: string) => `vigil.batch.processed.${unit}`,
  processedBatchAll: "vigil.batch.processed.*",
  /** A ProcessedReading that is anomalous. */
  anomaly: (unit: string, sensor: string) => `vigil.anomaly.${unit}.${sensor}`,
  anomalyAll: "vigil.anomaly.>",
  /** A UnitState whenever a unit's status, operational state, severity or health changes. */
  unitState: (unit: string) => `vigil.unit.${unit}.state`,
  unitStateAll: "vigil.unit.*.state",
  /** A solar device's PowerForecast, whenever its `solar_forecast` model scores it. */
  forecast: (unit: string) => `vigil.forecast.${unit}`,
  forecastAll: "vigil.forecast.*",
  /** Rejections detected past ingest (e.g. duplicates seen by a sensor actor): `{source, reason, unit, sensor}`. */
  rejected: "vigil.ingest.rejected",
} as const;
