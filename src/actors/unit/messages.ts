/**
 * What a unit actor receives: its sensors' updates (sensor/messages.ts),
 * commands, and the timer it sets itself.
 */
import type { ChildFailed } from "../../runtime/index.js";
import type { SensorUpdate } from "../sensor/index.js";

/** Put the unit into maintenance (`on: true`) or take it out; replies with the UnitState. */
export interface MaintenanceCommand {
  readonly type: "maintenance";
  readonly on: boolean;
  /** Who did it, for the log. */
  readonly by?: string;
}

/** Replies with the unit's current UnitState. */
export interface UnitQuery {
  readonly type: "get";
}

/** The unit's own re-armed offline timer. `instance` ties it to the actor instance that set it. */
export interface OnlineCheck {
  readonly type: "check-online";
  readonly instance: number;
}

export type UnitMessage = SensorUpdate | MaintenanceCommand | UnitQuery | OnlineCheck | ChildFailed;
