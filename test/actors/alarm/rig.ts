/**
 * Alarm rules and lifecycle on a sensor-and-unit pipeline in the test's own
 * thread (test/actors/sensor/pipeline.ts) with a simulated clock: readings
 * in, AlarmTransitions out, operator commands by asking `alarm/<unit>`.
 */
import type { KindsConfig } from "../../../src/actors/kinds.js";
import { VigilError } from "../../../src/runtime/index.js";
import { alarmAddress, type AlarmCommandResult, type AlarmTransition, type AlarmView, type OperatorCommand } from "../../../src/actors/alarm/index.js";
import type { RuleInput } from "../../../src/rules/index.js";
import { startPipeline, T0, UNIT, type Pipeline } from "../sensor/pipeline.js";

export { T0, UNIT };
export const S = 1000;

export interface AlarmRig extends Pipeline {
  /** Readings of one sensor, one per second from `startS` (seconds after T0), the clock kept in step. */
  feed(sensor: string, values: readonly number[], startS: number, unit?: string): Promise<number>;
  transitions(unit?: string): AlarmTransition[];
  events(unit?: string): string[];
  command(c: OperatorCommand, unit?: string): Promise<AlarmView>;
  list(unit?: string): Promise<AlarmView[]>;
}

export async function startAlarmRig(rules: readonly RuleInput[], config: KindsConfig = {}): Promise<AlarmRig> {
  const p = await startPipeline({
    ...config,
    unit: { startupMs: 0, ...config.unit },
    alarms: { escalationDelayMs: 0, ...config.alarms, rules: { version: 1, rules } },
  });
  const units = new Set<string>([UNIT]);
  const settleAlarms = async (): Promise<void> => {
    await p.settle();
    for (const unit of units) await p.system.ask(alarmAddress(unit), { type: "list" });
  };
  const transitions = (unit = UNIT): AlarmTransition[] =>
    p.published.filter((x) => x.subject.startsWith(`vigil.alarm.${unit}.`)).map((x) => x.payload as AlarmTransition);
  return {
    ...p,
    async settle() {
      await settleAlarms();
    },
    async advance(ms) {
      await p.advance(ms);
      await settleAlarms();
    },
    async feed(sensor, values, startS, unit = UNIT) {
      units.add(unit);
      for (const [i, v] of values.entries()) {
        p.send(sensor, v, T0 + (startS + i) * S, "GOOD", unit);
        await settleAlarms();
        await p.advance(S);
        await settleAlarms();
      }
      return startS + values.length;
    },
    transitions,
    events: (unit = UNIT) => transitions(unit).map((t) => `${t.event}:${t.to}`),
    async command(c, unit = UNIT) {
      const result = await p.system.ask<AlarmCommandResult>(alarmAddress(unit), c);
      if (!result.ok) throw new VigilError(result.code, result.message);
      return result.alarm;
    },
    list: (unit = UNIT) => p.system.ask<AlarmView[]>(alarmAddress(unit), { type: "list" }),
  };
}

/** A value that wanders ±`swing` around `centre` every reading: a noisy instrument near a threshold. */
export function noisy(centre: number, swing: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => centre + (i % 2 === 0 ? swing : -swing) * (0.5 + 0.5 * ((i * 7) % 5) / 4));
}
