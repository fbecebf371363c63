/**
 * The alarm service on the node's main thread: the in-process API the HTTP
 * control API and the transport request subjects call (acknowledge, shelve,
 * unshelve, feedback, list; rule CRUD with versions), the distribution of
 * each rule set version to every shard worker, flood detection, metrics,
 * and the fan-out of transitions to whoever the node wires in (notifiers,
 * history). It talks to the alarm actors only through messages.
 */
import type { Registry } from "prom-client";
import { FLOOD_RULE_ID, SYSTEM_RULE_PREFIX, SYSTEM_UNIT, type Rule, type RuleChange, type RuleRegistry, type RuleSetVersion } from "../../rules/index.js";
import { keysForEveryShard, VigilError, type ActorSystem } from "../../runtime/index.js";
import type { Logger } from "../../runtime/log.js";
import { DEFAULT_AREA } from "./areas.js";
import { FloodMonitor, type FloodChange } from "./flood.js";
import type { InstallRules } from "./kind.js";
import type { AlarmCommandResult, ListQuery, OperatorCommand, RuleSignal, RulesChanged } from "./messages.js";
import { AlarmMetrics } from "./metrics.js";
import { alarmAddress, unitOfAlarmId, type AlarmFeedback, type AlarmStateName, type AlarmTransition, type AlarmView } from "./transition.js";

export interface AlarmServiceOptions {
  system: ActorSystem;
  rules: RuleRegistry;
  flood: { threshold: number; windowMs: number };
  log: Logger;
  registry?: Registry;
  /** @default Date.now */
  now?: () => number;
  /** How often floods are re-judged as time passes. @default 10 s */
  floodCheckMs?: number;
  /** Where operator commands and list queries go: in a cluster, to the node owning the unit. @default system */
  asks?: Pick<ActorSystem, "ask">;
  /** Units with alarms that this node's own transitions do not tell of (in a cluster, other nodes' units). */
  alarmedUnits?: () => Iterable<string>;
}

export interface AlarmFilter {
  unit?: string;
  area?: string;
  severity?: string;
  state?: AlarmStateName;
}

interface Known {
  unit: string;
  state: AlarmStateName;
  severity: string;
}

const ROUTE_PREFIX = "rules-";

export class AlarmService {
  /** Alarms not in the normal state, as the transitions tell. */
  private readonly known = new Map<string, Known>();
  private readonly listeners = new Set<(t: AlarmTransition) => void>();
  private readonly flood: FloodMonitor;
  private readonly metrics: AlarmMetrics;
  private readonly now: () => number;
  private readonly log: Logger;
  private distribution: Promise<void> = Promise.resolve();
  private floodTimer: NodeJS.Timeout | undefined;
  private readonly detach: (() => void)[] = [];

  constructor(private readonly o: AlarmServiceOptions) {
    this.now = o.now ?? Date.now;
    this.log = o.log;
    this.flood = new FloodMonitor(o.flood.threshold, o.flood.windowMs);
    const known = this.known;
    const flood = this.flood;
    const now = this.now;
    this.metrics = new AlarmMetrics(o.registry, {
      states: () => known.values(),
      areaCounts: () => flood.areas().map((area) => ({ area, raised: flood.count(area, now()), flooding: flood.isFlooding(area) })),
      rulesVersion: () => o.rules.version,
    });
  }

  /** Puts the current rules on every worker (they may have started with older ones) and starts watching floods. */
  async start(): Promise<void> {
    this.detach.push(this.o.rules.onChange((set, change) => this.onRulesChange(set, change)));
    this.detach.push(
      this.o.system.onEvent((e) => {
        // A replaced worker starts from the config's rules: bring it up to date.
        if (e.type === "worker-restarted") this.distribute(this.o.rules.current());
      }),
    );
    this.distribute(this.o.rules.current());
    await this.distribution;
    this.floodTimer = setInterval(() => this.checkFloods(), this.o.floodCheckMs ?? 10_000);
    this.floodTimer.unref();
  }

  stop(): void {
    clearInterval(this.floodTimer);
    for (const d of this.detach.splice(0)) d();
  }

  // ---- transitions ----------------------------------------------------------

  /** Called for each transition as it leaves the actors (the node's outlet). */
  accept(t: AlarmTransition): void {
    if (t.to === "normal") this.known.delete(t.alarmId);
    else this.known.set(t.alarmId, { unit: t.unit, state: t.to, severity: t.severity });
    this.metrics.transitions.inc({ event: t.event, severity: t.severity });
    if (t.event === "raised" && !t.rule.startsWith(SYSTEM_RULE_PREFIX)) {
      const change = this.flood.record(t.area ?? DEFAULT_AREA, t.at);
      if (change !== undefined) this.onFlood(change);
    }
    for (const listener of this.listeners) {
      try {
        listener(t);
      } catch (err) {
        this.log.error({ err, alarmId: t.alarmId }, "an alarm transition listener threw");
      }
    }
  }

  onTransition(listener: (t: AlarmTransition) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Re-judge floods now (also done every floodCheckMs). */
  checkFloods(): void {
    for (const change of this.flood.checkAll(this.now())) this.onFlood(change);
  }

  private onFlood(change: FloodChange): void {
    this.log.warn({ area: change.area, flooding: change.flooding, count: change.count }, change.flooding ? "alarm flood" : "alarm flood over");
    this.systemAlarm(FLOOD_RULE_ID, change.area, change.flooding, change.count);
  }

  /**
   * Raises (active) or clears a system alarm: `rule` one of SYSTEM_RULES,
   * `subject` what it is about (an area, a model), shown as the alarm's sensor.
   */
  systemAlarm(rule: string, subject: string, active: boolean, value: number): void {
    const signal: RuleSignal = { type: "signal", rule, part: -1, sensor: subject, active, value, ts: this.now() };
    this.o.system.tell(alarmAddress(SYSTEM_UNIT), signal);
  }

  // ---- operators ------------------------------------------------------------

  acknowledge(alarmId: string, by: string, comment?: string): Promise<AlarmView> {
    return this.command({ type: "ack", alarmId, by, ...(comment === undefined ? {} : { comment }) });
  }

  shelve(alarmId: string, by: string, durationMs: number, comment?: string): Promise<AlarmView> {
    return this.command({ type: "shelve", alarmId, by, durationMs, ...(comment === undefined ? {} : { comment }) });
  }

  unshelve(alarmId: string, by: string, comment?: string): Promise<AlarmView> {
    return this.command({ type: "unshelve", alarmId, by, ...(comment === undefined ? {} : { comment }) });
  }

  feedback(alarmId: string, by: string, feedback: AlarmFeedback, comment?: string): Promise<AlarmView> {
    return this.command({ type: "feedback", alarmId, by, feedback, ...(comment === undefined ? {} : { comment }) });
  }

  /** Alarms not in the normal state, asked of the alarm actors of every unit that has one. */
  async list(filter: AlarmFilter = {}): Promise<AlarmView[]> {
    const units = new Set<string>();
    for (const k of this.known.values()) if (filter.unit === undefined || k.unit === filter.unit) units.add(k.unit);
    for (const unit of this.o.alarmedUnits?.() ?? []) if (filter.unit === undefined || unit === filter.unit) units.add(unit);
    const query: ListQuery = { type: "list" };
    const asks = this.o.asks ?? this.o.system;
    const views = (await Promise.all([...units].map((unit) => asks.ask<AlarmView[]>(alarmAddress(unit), query)))).flat();
    return views
      .filter((v) => (filter.area === undefined || v.area === filter.area) && (filter.severity === undefined || v.severity === filter.severity) && (filter.state === undefined || v.state === filter.state))
      .sort((a, b) => (b.raisedAt ?? 0) - (a.raisedAt ?? 0) || a.id.localeCompare(b.id));
  }

  private async command(c: OperatorCommand): Promise<AlarmView> {
    const unit = unitOfAlarmId(c.alarmId);
    if (unit === undefined) throw new VigilError("VIGIL_ALARM_NOT_FOUND", `"${c.alarmId}" is not an alarm id (<unit>/<rule>/<sensor>)`);
    const result = await (this.o.asks ?? this.o.system).ask<AlarmCommandResult>(alarmAddress(unit), c);
    if (!result.ok) throw new VigilError(result.code, result.message);
    return result.alarm;
  }

  // ---- rules ----------------------------------------------------------------

  rules(): readonly Rule[] {
    return this.o.rules.current().rules;
  }

  rule(id: string): Rule {
    const rule = this.o.rules.get(id);
    if (rule === undefined) throw new VigilError("VIGIL_RULE_NOT_FOUND", `no rule "${id}"`);
    return rule;
  }

  /** Adds or replaces a rule; resolves once every worker evaluates the new version. */
  async putRule(input: unknown, by: string): Promise<{ version: number; rule: Rule; created: boolean }> {
    const result = this.o.rules.put(input, by);
    await this.distribution;
    return result;
  }

  async removeRule(id: string, by: string): Promise<{ version: number }> {
    const result = this.o.rules.remove(id, by);
    await this.distribution;
    return result;
  }

  async replaceRules(input: unknown, by: string): Promise<{ version: number }> {
    const result = this.o.rules.replaceAll(input, by);
    await this.distribution;
    return result;
  }

  ruleVersions(): { version: number; changes: readonly RuleChange[] } {
    return { version: this.o.rules.version, changes: this.o.rules.history() };
  }

  ruleSet(version: number): RuleSetVersion {
    const set = this.o.rules.at(version);
    if (set === undefined) throw new VigilError("VIGIL_RULE_NOT_FOUND", `rule set version ${version} is not kept`);
    return set;
  }

  /** A version made on another node (vigil.alarms.rules.changed): adopted when newer. */
  adopt(set: RuleSetVersion, by: string): boolean {
    return this.o.rules.adopt(set, by);
  }

  private onRulesChange(set: RuleSetVersion, change: RuleChange): void {
    this.log.info({ version: set.version, action: change.action, rule: change.ruleId, by: change.by }, "alarm rules changed");
    this.distribute(set);
  }

  /**
   * Every worker's rulebook gets the version (one actor per worker, placed
   * by key); then the units with alarms re-read the rules so alarms of
   * removed rules end at once. Versions are applied in order: a book
   * ignores one older than it has.
   */
  private distribute(set: RuleSetVersion): void {
    const install: InstallRules = { type: "install", set };
    const changed: RulesChanged = { type: "rules-changed" };
    this.distribution = this.distribution.then(async () => {
      try {
        await Promise.all(keysForEveryShard(this.o.system.workers, ROUTE_PREFIX).map((key) => this.o.system.ask(`rulebook/${key}`, install)));
        const units = new Set([...this.known.values()].map((k) => k.unit));
        for (const unit of units) this.o.system.tell(alarmAddress(unit), changed);
      } catch (err) {
        this.log.error({ err, version: set.version }, "could not distribute an alarm rule set version; it goes out again with the next change or worker restart");
      }
    });
  }
}
