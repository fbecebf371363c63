/**
 * The `unit` actor kind: address `unit/<unit>`, on the same shard worker as
 * the unit's sensors (both partition by unit), so their updates reach it
 * as tells on its own thread, which its mailbox merges per sensor
 * (latest-updates.ts).
 */
import { defineActorKind, type ActorKind } from "../../runtime/index.js";
import type { SensorTypeSpec } from "../sensor/index.js";
import { UnitActor, type UnitActorState } from "./actor.js";
import type { UnitAssessor } from "./assessor.js";
import type { UnitMessage } from "./messages.js";
import { RulesAssessor } from "./rules-assessor.js";
import { latestSensorUpdates } from "./latest-updates.js";
import type { UnitModelsShared } from "./model-scoring.js";
import type { UnitSettings } from "./settings.js";

export interface UnitKindOptions {
  settings: UnitSettings;
  sensorTypes: Readonly<Record<string, SensorTypeSpec>>;
  /** @default the rules assessor */
  assessor?: (unit: string) => UnitAssessor;
  /** The worker's unit-level models (state, RUL, forecast). @default none: the assessor alone */
  models?: UnitModelsShared;
}

export function unitKind(options: UnitKindOptions): ActorKind<UnitMessage, UnitActorState> {
  const { settings, sensorTypes } = options;
  const rules = new RulesAssessor(settings); // stateless: one serves every unit
  const makeAssessor = options.assessor ?? (() => rules);
  return defineActorKind<UnitMessage, UnitActorState>({
    name: "unit",
    coalesce: latestSensorUpdates,
    create: (unit) => new UnitActor(unit, settings, sensorTypes, makeAssessor(unit), options.models),
  });
}
