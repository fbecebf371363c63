/**
 * Whether a unit is wearing: a degradation that moves its sensors together in
 * the directions their types give for wear (`SensorTypeSpec.wear`: a pump
 * losing efficiency runs hotter, draws more power and shakes more, while its
 * pressure and flow fall).
 *
 * Each sensor reports its wear gap (its recent values against its slow
 * baseline, signed in its wear direction, in noise standard deviations). One
 * sensor's gap alone proves little: a change of load moves every sensor the
 * same way — all up or all down — so it opens a wear gap on one side and a
 * negative one on the other. Wear is seen only when a sensor that rises with
 * wear AND one that falls with it both show a gap of at least `wearGap`; it
 * stays seen until either side drops below `wearReleaseGap`.
 *
 * Only sensors whose latest reading is a trustworthy measurement count:
 * GOOD quality, not flat-lining, inside the normal band (a value pushed out
 * of band by another fault is that fault's evidence, not wear's). And never
 * while the unit starts up: its ramp to load is exactly the kind of change
 * this would otherwise read.
 */
import type { AnomalyReason } from "../sensor/index.js";
import type { SensorEntry } from "./assessor.js";
import type { UnitSettings } from "./settings.js";

/** Reasons that make a sensor's value unfit as evidence of wear. */
const NOT_EVIDENCE: readonly AnomalyReason[] = ["stuck", "out_of_range_high", "out_of_range_low", "limit_exceeded", "bad_quality"];

export class WearWatch {
  /** Whether the unit is seen to wear now. */
  wearing = false;

  constructor(private readonly settings: Pick<UnitSettings, "wearGap" | "wearReleaseGap">) {}

  /** Re-judges from the sensors' latest state; returns whether the verdict changed. */
  update(sensors: readonly SensorEntry[], startingUp: boolean): boolean {
    const was = this.wearing;
    if (startingUp) {
      this.wearing = false;
    } else {
      const side = Math.min(strongest(sensors, "rise"), strongest(sensors, "fall"));
      this.wearing = side >= (was ? this.settings.wearReleaseGap : this.settings.wearGap);
    }
    return this.wearing !== was;
  }
}

/** Whether `reasons` holds any of `these` (loops: no closure per sensor per update). */
function hasAny(reasons: readonly AnomalyReason[], these: readonly AnomalyReason[]): boolean {
  for (let i = 0; i < reasons.length; i++) if (these.includes(reasons[i] as AnomalyReason)) return true;
  return false;
}

/** The largest wear gap among the sensors that count on one side; -Infinity when none does. */
function strongest(sensors: readonly SensorEntry[], direction: "rise" | "fall"): number {
  let best = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < sensors.length; i++) {
    const s = sensors[i] as SensorEntry;
    if (s.type?.wear !== direction || s.quality !== "GOOD") continue;
    if (hasAny(s.reasons, NOT_EVIDENCE)) continue;
    if (s.wear > best) best = s.wear;
  }
  return best;
}
