/**
 * The node's alarms: the rules it starts with (the shipped defaults and the
 * rules file), the alarm service on the main thread, its request subjects,
 * and where transitions go once they leave the alarm actors — the
 * notification dispatcher (raise, escalation, clear) and history (every
 * transition as an AlarmEventRow, operator feedback as a LabelRow).
 *
 * Transitions are taken from the node outlet (`tap`), not a transport
 * subscription: a subscription drops under load and, over NATS, would hand
 * every node every other node's transitions — notified once per node.
 */
import { readFile } from "node:fs/promises";
import type { Registry } from "prom-client";
import { ALARM_API_QUEUE, ALARM_SUBJECTS, AlarmService, serveAlarmRequests, type AlarmServiceOptions, type AlarmTransition } from "../actors/alarm/index.js";
import type { KindsAlarmConfig } from "../actors/kinds.js";
import type { VigilConfig } from "../config/index.js";
import type { AlarmNotification, NotificationDispatcher } from "../notify/index.js";
import { DEFAULT_RULES, parseRules, RuleRegistry, type Rule, type RuleSetVersion } from "../rules/index.js";
import { VigilError, type ActorSystem } from "../runtime/index.js";
import type { Logger } from "../runtime/log.js";
import type { Transport } from "../runtime/transport/index.js";
import type { AlarmEventRow, LabelRow } from "../store/index.js";

/** Where alarm history goes: the history writer's alarm rows, and labels straight to the store. */
export interface AlarmHistorySink {
  alarmEvent(row: AlarmEventRow): void;
  label(row: LabelRow): void;
}

export interface NodeAlarms {
  readonly service: AlarmService;
  stop(): void;
}

const ALARM_PREFIX = "vigil.alarm.";
const NOTIFIED = new Set(["raised", "escalated", "cleared"]);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The rule set a node starts with: the defaults (unless turned off), then the rules file's, replacing defaults of the same id. */
export async function loadAlarmRules(config: VigilConfig["alarms"]): Promise<RuleRegistry> {
  const byId = new Map<string, unknown>();
  if (config.defaultRules) for (const r of DEFAULT_RULES) byId.set(r.id, r);
  if (config.rulesFile !== "") {
    let text: string;
    try {
      text = await readFile(config.rulesFile, "utf8");
    } catch (err) {
      throw new VigilError("VIGIL_CONFIG_INVALID", `alarms.rulesFile: cannot read ${config.rulesFile}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    let list: unknown;
    try {
      list = JSON.parse(text);
    } catch (err) {
      throw new VigilError("VIGIL_CONFIG_INVALID", `alarms.rulesFile: ${config.rulesFile} is not JSON`, { cause: err });
    }
    if (!Array.isArray(list)) throw new VigilError("VIGIL_CONFIG_INVALID", `alarms.rulesFile: ${config.rulesFile}: expected a list of rules`);
    for (const r of list) byId.set(typeof r === "object" && r !== null ? String((r as { id?: unknown }).id) : "", r);
  }
  let rules: Rule[];
  try {
    rules = parseRules([...byId.values()]);
  } catch (err) {
    throw new VigilError("VIGIL_CONFIG_INVALID", `alarms: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  return new RuleRegistry(rules);
}

/** What the alarm actor kinds are built with on every worker (kindConfig.alarms). */
export function alarmKindsConfig(config: VigilConfig["alarms"], rules: RuleSetVersion): KindsAlarmConfig {
  return { rules: { version: rules.version, rules: rules.rules }, areas: config.areas, escalationDelayMs: config.escalationDelayMs, maxShelveMs: config.maxShelveMs };
}

export interface NodeAlarmsOptions {
  config: VigilConfig;
  nodeId: string;
  system: ActorSystem;
  transport: Transport;
  rules: RuleRegistry;
  dispatcher: NotificationDispatcher;
  history?: AlarmHistorySink;
  logger: Logger;
  registry: Registry;
  /** In a cluster: operator commands and list queries routed to the unit's owner, and other nodes' alarmed units. */
  cluster?: Pick<AlarmServiceOptions, "asks" | "alarmedUnits">;
}

/**
 * Starts the alarm service and returns it with the outlet tap; transitions
 * published before it started are dropped by the late-bound tap in start.ts
 * (there are none: rules reach the workers only through the service).
 */
export async function startNodeAlarms(o: NodeAlarmsOptions): Promise<NodeAlarms & { readonly tap: (subject: string, json: string) => void }> {
  const log = o.logger.child({ part: "alarms" });
  const service = new AlarmService({ system: o.system, rules: o.rules, flood: o.config.alarms.flood, log, registry: o.registry, ...o.cluster });
  service.onTransition((t) => {
    if (NOTIFIED.has(t.event)) o.dispatcher.dispatch(notificationOf(t));
    o.history?.alarmEvent(alarmEventRowOf(t));
    if (t.event === "feedback") o.history?.label(labelRowOf(t));
    logTransition(log, t);
  });
  await service.start();
  // In a cluster any node answers any request (actions are routed to the owner): one node per request.
  const requests = serveAlarmRequests(o.transport, service, log, o.cluster === undefined ? {} : { queue: ALARM_API_QUEUE });
  // Rule versions made on other nodes; ours go out the same way.
  const changes = o.transport.subscribe(ALARM_SUBJECTS.rulesChanged);
  void (async () => {
    for await (const msg of changes) {
      try {
        const m = JSON.parse(decoder.decode(msg.data)) as { node?: unknown; set?: RuleSetVersion };
        if (m.node !== o.nodeId && m.set !== undefined && service.adopt(m.set, `node:${String(m.node)}`)) log.info({ version: m.set.version, from: m.node }, "adopted alarm rules from another node");
      } catch (err) {
        log.warn({ err }, "ignored an unreadable alarm rule set from another node");
      }
    }
  })();
  const announce = o.rules.onChange((set, change) => {
    if (change.action === "adopt") return;
    try {
      o.transport.publish(ALARM_SUBJECTS.rulesChanged, encoder.encode(JSON.stringify({ node: o.nodeId, set })));
    } catch (err) {
      log.warn({ err }, "could not announce the new alarm rule set version to other nodes");
    }
  });
  return {
    service,
    tap: (subject, json) => {
      if (!subject.startsWith(ALARM_PREFIX)) return;
      try {
        service.accept(JSON.parse(json) as AlarmTransition);
      } catch (err) {
        log.error({ err, subject }, "an alarm transition could not be handled");
      }
    },
    stop() {
      announce();
      changes.unsubscribe();
      requests.stop();
      service.stop();
    },
  };
}

export function notificationOf(t: AlarmTransition): AlarmNotification {
  return {
    id: `${t.alarmId}#${t.seq}`,
    event: t.event as AlarmNotification["event"],
    at: t.at,
    alarm: {
      id: t.alarmId,
      ruleId: t.rule,
      unit: t.unit,
      sensor: t.sensor,
      severity: t.severity,
      category: t.category,
      message: t.message,
      state: t.to,
      value: t.value,
      raisedAt: t.raisedAt ?? t.at,
      area: t.area,
    },
  };
}

/** The state column holds the state entered; for escalation and feedback, which enter none, the event. */
export function alarmEventRowOf(t: AlarmTransition): AlarmEventRow {
  const state = t.event === "escalated" || t.event === "feedback" ? t.event : t.to;
  return { alarmId: t.alarmId, rule: t.rule, unit: t.unit, sensor: t.sensor, state, severity: t.severity, ts: t.at, actor: t.by, message: t.message, comment: t.comment };
}

/** Operator feedback as a training label over the alarm's span, from its raise to the feedback. */
export function labelRowOf(t: AlarmTransition): LabelRow {
  const from = t.raisedAt ?? t.at;
  return { unit: t.unit, sensor: t.sensor, from, to: Math.max(t.at, from + 1), label: t.feedback === "real_fault" ? "fault" : "false_alarm", source: `operator:${t.by}` };
}

function logTransition(log: Logger, t: AlarmTransition): void {
  const line = { alarm: t.alarmId, event: t.event, state: t.to, severity: t.severity, by: t.by, value: t.value, area: t.area };
  if (t.event === "raised" || t.event === "escalated") log.warn(line, t.message);
  else log.info(line, t.message);
}
