/**
 * The actor kinds every node hosts. Shard workers import this module on their
 * own threads (`kindModules`), so it must be importable on its own and export
 * `createKinds(kindConfig)`. Domain kinds are added here as they are built.
 */
import type { VigilConfig } from "../config/index.js";
import type { ActorKind } from "../runtime/index.js";
import { VigilError } from "../runtime/index.js";
import {
  DEFAULT_SENSOR_TYPES,
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
}

export interface KindsAlarmConfig extends Partial<AlarmSettings> {
  /** The rule set each worker starts with; newer versions arrive through the rulebook actors. */
  rules?: { version: number; rules: readonly RuleInput[] };
}

/**
 * The node's `pipeline` config section as kindConfig. It is already the right
 * shape; this keeps the config schema and KindsConfig in step at compile time.
 */
export function kindsConfigOf(pipeline: VigilConfig["pipeline"], alarms?: KindsAlarmConfig): KindsConfig {
  return alarms === undefined ? pipeline : { ...pipeline, alarms };
}

export function createKinds(config?: KindsConfig): ActorKind[] {
  const sensorTypes = resolveSensorTypes(config?.sensorTypes);
  // One book per createKinds call: per shard worker, or per in-thread system in tests.
  const given = config?.alarms?.rules;
  const book = new RuleBook({ version: given?.version ?? 1, rules: parseRules(given?.rules ?? DEFAULT_RULES) });
  const { rules: _rules, ...alarmSettings } = config?.alarms ?? {};
  return [
    sensorKind({ settings: resolveSensorSettings(config?.sensor), sensorTypes, rules: book }),
    unitKind({ settings: resolveUnitSettings(config?.unit), sensorTypes }),
    alarmKind(book, { ...DEFAULT_ALARM_SETTINGS, ...alarmSettings }),
    rulebookKind(book),
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
