/**
 * Which tables retention empties, the same in both stores: the time series
 * (readings, predictions, rejections). Alarms, labels, units and model
 * events are the audit trail and are kept.
 */
export const RETAINED_TABLES = ["raw_readings", "processed_readings", "predictions", "rejections"] as const;

export const DAY_MS = 24 * 60 * 60 * 1000;
