/**
 * The alarm actor kinds: `alarm/<unit>` (one per unit, on its unit's shard
 * worker) and `rulebook/<key>` (one per shard worker, installing new rule
 * set versions into that worker's RuleBook). Alarm actors never passivate:
 * a shelved alarm's expiry and an escalation are timers, and timers end
 * with passivation.
 */
import { defineActorKind, type ActorKind } from "../../runtime/index.js";
import type { RuleBook, RuleSetVersion } from "../../rules/index.js";
import { AlarmActor, type AlarmActorState } from "./actor.js";
import { areaResolver } from "./areas.js";
import type { AlarmMessage } from "./messages.js";

export interface AlarmSettings {
  /** Operator area name → its units (ids or patterns with '*'). */
  areas: Readonly<Record<string, readonly string[]>>;
  /** Notify again when still unacknowledged after this long; 0: never. */
  escalationDelayMs: number;
  maxShelveMs: number;
}

export const DEFAULT_ALARM_SETTINGS: AlarmSettings = {
  areas: {},
  escalationDelayMs: 15 * 60 * 1000, // 15 minutes
  maxShelveMs: 24 * 60 * 60 * 1000, // 1 day
};

export function alarmKind(book: RuleBook, settings: AlarmSettings): ActorKind<AlarmMessage, AlarmActorState> {
  const areaOf = areaResolver(settings.areas);
  return defineActorKind<AlarmMessage, AlarmActorState>({
    name: "alarm",
    passivation: { idleMs: 0 },
    create: (unit) => new AlarmActor({ unit, book, area: areaOf(unit), escalationDelayMs: settings.escalationDelayMs, maxShelveMs: settings.maxShelveMs }),
  });
}

/** Installs a rule set version into this worker's book; replies with the version the book holds after. */
export interface InstallRules {
  readonly type: "install";
  readonly set: RuleSetVersion;
}

export function rulebookKind(book: RuleBook): ActorKind<InstallRules> {
  return defineActorKind<InstallRules>({
    name: "rulebook",
    // The id is a key chosen to land on one particular worker (keysForEveryShard).
    partitionKey: (id) => id,
    passivation: { idleMs: 0 },
    create: () => ({
      receive(m) {
        if (typeof m === "object" && m !== null && m.type === "install") book.install(m.set);
        return book.version;
      },
    }),
  });
}
