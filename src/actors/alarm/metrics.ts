/**
 * The alarm metrics (prom-client), kept on the main thread from the
 * transitions the node sees: transitions by event and severity, alarms by
 * state and severity, raises per area within the flood window, floods, and
 * the rule set version.
 */
import { Counter, Gauge, type Registry } from "prom-client";
import type { AlarmStateName } from "./transition.js";

export interface AlarmGaugeSource {
  /** Current alarms that are not normal. */
  states(): Iterable<{ state: AlarmStateName; severity: string }>;
  areaCounts(): Iterable<{ area: string; raised: number; flooding: boolean }>;
  rulesVersion(): number;
}

export class AlarmMetrics {
  readonly transitions: Counter<"event" | "severity">;

  constructor(registry: Registry | undefined, source: AlarmGaugeSource) {
    const registers = registry === undefined ? [] : [registry];
    this.transitions = new Counter({ name: "vigil_alarm_transitions_total", help: "Alarm lifecycle transitions, by event and severity", labelNames: ["event", "severity"], registers });
    new Gauge({
      name: "vigil_alarms",
      help: "Alarms not in the normal state, by state and severity",
      labelNames: ["state", "severity"],
      registers,
      collect() {
        this.reset();
        for (const a of source.states()) this.inc({ state: a.state, severity: a.severity });
      },
    });
    new Gauge({
      name: "vigil_alarm_area_raised",
      help: "Alarms raised per operator area within the flood window",
      labelNames: ["area"],
      registers,
      collect() {
        this.reset();
        for (const a of source.areaCounts()) this.set({ area: a.area }, a.raised);
      },
    });
    new Gauge({
      name: "vigil_alarm_flood",
      help: "1 while an operator area is flooded with alarms (more than alarms.flood.threshold within the window)",
      labelNames: ["area"],
      registers,
      collect() {
        this.reset();
        for (const a of source.areaCounts()) this.set({ area: a.area }, a.flooding ? 1 : 0);
      },
    });
    new Gauge({
      name: "vigil_alarm_rules_version",
      help: "The version of the rule set in force",
      registers,
      collect() {
        this.set(source.rulesVersion());
      },
    });
  }
}
