/**
 * The actor kinds every node hosts. Shard workers import this module on their
 * own threads (`kindModules`), so it must be importable on its own and export
 * `createKinds(kindConfig)`. Domain kinds are added here as they are built.
 */
import type { VigilConfig } from "../config/index.js";
import type { ActorKind } from "../runtime/index.js";
import { VigilError } from "../runtime/index.js";
import { featureNames, WorkerModels } from "../ml/index.js";
import { modelbookKind } from "./models/kind.js";
import { UnitModelsShared } from "./unit/model-scoring.js";
import {
  DEFAULT_SENSOR_TYPES,
  featureSpecOf,
  resolveSensorSettings,
  sensorKind,
  sensorTypeProblem,
  type SensorSettingsInput,
  type SensorTypeSpec,
} from "./sensor/index.js";
import { resolveUnitSettings, unitKind, type UnitSettings } from "./unit/index.js";
import { DEFAULT_RULES, parseRules, RuleBook, type RuleInput } from "../rules/index.js";
import { alarmKind, DEFAULT_ALARM_SETTINGS, rulebookKind, type AlarmSettings } from "./alarm/index.js";

/**
 * The kinds' settings, as plain data (the system's `kindConfig`). Every part
 * is optional; what is missing takes its default.
 *
 * @example
 * createKinds({
 *   sensor: { windows: { counts: [5, 10, 30], durationsMs: [10_000, 30_000, 60_000] } },
 *   unit: { offlineAfterMs: 30_000 },
 *   sensorTypes: { temperature: { normal: [0, 35] } },
 * });
 */
export interface KindsConfig {
  /** Per sensor type, overriding the defaults field by field; new type names add types. */
  sensorTypes?: Record<string, Partial<SensorTypeSpec>>;
  sensor?: SensorSettingsInput;
  unit?: Partial<UnitSettings>;
  /** Alarm rules and settings. @default the shipped rules (DEFAULT_RULES) as version 1 */
  alarms?: KindsAlarmConfig;
  /**
   * Scoring with trained models: each worker keeps the Production versions
   * the node sends it (modelbook actors). @default none: no model path at all
   * (sensors score statistically and say STATISTICAL)
   */
  models?: KindsModelsConfig;
}

export interface KindsModelsConfig {
  batchRows: number;
  flushMs: number;
  maxQueuedRows: number;
  /** A unit with at least this much remaining life (hours) has health 1. */
  healthyRulHours: number;
}

export interface KindsAlarmConfig extends Partial<AlarmSettings> {
  /** The rule set each worker starts with; newer versions arrive through the rulebook actors. */
  rules?: { version: number; rules: readonly RuleInput[] };
}

/**
 * The node's `pipeline` config section as kindConfig. It is already the right
 * shape; this keeps the config schema and KindsConfig in step at compile time.
 */
export function kindsConfigOf(pipeline: VigilConfig["pipeline"], alarms?: KindsAlarmConfig, models?: KindsModelsConfig): KindsConfig {
  return { ...pipeline, ...(alarms === undefined ? {} : { alarms }), ...(models === undefined ? {} : { models }) };
}

export function createKinds(config?: KindsConfig): ActorKind[] {
  const sensorTypes = resolveSensorTypes(config?.sensorTypes);
  // One book per createKinds call: per shard worker, or per in-thread system in tests.
  const given = config?.alarms?.rules;
  const book = new RuleBook({ version: given?.version ?? 1, rules: parseRules(given?.rules ?? DEFAULT_RULES) });
  const { rules: _rules, ...alarmSettings } = config?.alarms ?? {};
  const sensorSettings = resolveSensorSettings(config?.sensor);
  const m = config?.models;
  // One set per createKinds call, like the rule book: per shard worker.
  const models = m === undefined ? undefined : new WorkerModels({ batchRows: m.batchRows, flushMs: m.flushMs, maxQueuedRows: m.maxQueuedRows });
  const unitModels = models === undefined || m === undefined ? undefined : new UnitModelsShared(models, featureNames(featureSpecOf(sensorSettings)), m.healthyRulHours);
  return [
    sensorKind({ settings: sensorSettings, sensorTypes, rules: book, ...(models === undefined ? {} : { models }) }),
    unitKind({ settings: resolveUnitSettings(config?.unit), sensorTypes, ...(unitModels === undefined ? {} : { models: unitModels }) }),
    alarmKind(book, { ...DEFAULT_ALARM_SETTINGS, ...alarmSettings }),
    rulebookKind(book),
    ...(models === undefined ? [] : [modelbookKind(models)]),
  ];
}

/** The default sensor types with the configured ones laid over them, field by field. */
export function resolveSensorTypes(overrides: KindsConfig["sensorTypes"]): Record<string, SensorTypeSpec> {
  const types: Record<string, SensorTypeSpec> = { ...DEFAULT_SENSOR_TYPES };
  for (const [name, given] of Object.entries(overrides ?? {})) {
    const spec = { category: null, unit: "", ...types[name], ...given } as SensorTypeSpec;
    const problem = sensorTypeProblem(name, spec);
    if (problem !== undefined) throw new VigilError("VIGIL_CONFIG_INVALID", problem);
    types[name] = spec;
  }
  return types;
}
