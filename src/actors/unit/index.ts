/**
 * src/actors/unit — the unit actor: the latest state of a unit's sensors, its
 * status (online, offline, maintenance), and its operational state,
 * severity, category and health from a pluggable assessor (rules until a
 * model takes over).
 *
 * Depends on the runtime's public API, the readings types and the sensor
 * actor's messages and types; must not depend on connectors, transports,
 * stores or HTTP.
 */
export type { UnitActorState } from "./actor.js";
export type { Assessment, SensorEntry, UnitAssessor, UnitView } from "./assessor.js";
export { unitKind } from "./kind.js";
export type { UnitKindOptions } from "./kind.js";
export type { MaintenanceCommand, UnitMessage, UnitQuery } from "./messages.js";
export { RulesAssessor } from "./rules-assessor.js";
export { DEFAULT_UNIT_SETTINGS, resolveUnitSettings } from "./settings.js";
export type { UnitSettings } from "./settings.js";
