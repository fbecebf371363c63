/**
 * The alarm API on the transport, so any node (and tools) can reach it:
 * `vigil.alarms.api.<op>` request/reply with JSON bodies, validated here at
 * the boundary. Replies are `{"ok": true, "result": …}` or
 * `{"ok": false, "code": "VIGIL_…", "message": "…"}`.
 *
 * ops: ack, shelve, unshelve, feedback, list, rules.list, rules.get,
 * rules.put, rules.remove, rules.replace, rules.versions
 *
 * In a cluster every node serves these subjects and any node can answer any
 * request (an action reaches the unit's owner, a rule change every node), so
 * they subscribe in one queue group: each request is handled once. Without
 * it every node performed it — one feedback made one label per node, one
 * rules.put one rule version per node — and the caller took whichever
 * reply came first (a second ack's "nothing to acknowledge" could be it).
 */
import { z } from "zod";
import { isVigilError, VigilError, type VigilErrorCode } from "../../runtime/index.js";
import type { Logger } from "../../runtime/log.js";
import type { Subscription, Transport, TransportMessage } from "../../runtime/transport/index.js";
import type { AlarmService } from "./service.js";
import { ALARM_FEEDBACK, ALARM_STATES, ALARM_SUBJECTS } from "./transition.js";

const who = z.string().min(1).max(100);
const comment = z.string().max(1000).optional();
const alarmId = z.string().min(1).max(200);

/** An operation: its body's schema and what it does with the parsed body. */
function op<T extends z.ZodType>(schema: T, perform: (s: AlarmService, body: z.infer<T>) => unknown) {
  return { schema, perform };
}

const OPS = {
  ack: op(z.strictObject({ alarmId, by: who, comment }), (s, b) => s.acknowledge(b.alarmId, b.by, b.comment)),
  shelve: op(z.strictObject({ alarmId, by: who, durationMs: z.number().int().min(1), comment }), (s, b) => s.shelve(b.alarmId, b.by, b.durationMs, b.comment)),
  unshelve: op(z.strictObject({ alarmId, by: who, comment }), (s, b) => s.unshelve(b.alarmId, b.by, b.comment)),
  feedback: op(z.strictObject({ alarmId, by: who, feedback: z.enum(ALARM_FEEDBACK), comment }), (s, b) => s.feedback(b.alarmId, b.by, b.feedback, b.comment)),
  list: op(z.strictObject({ unit: z.string().optional(), area: z.string().optional(), severity: z.string().optional(), state: z.enum(ALARM_STATES).optional() }), (s, b) => s.list(b)),
  "rules.list": op(z.strictObject({}), (s) => ({ version: s.ruleVersions().version, rules: s.rules() })),
  "rules.get": op(z.strictObject({ id: z.string() }), (s, b) => s.rule(b.id)),
  "rules.put": op(z.strictObject({ rule: z.unknown(), by: who }), (s, b) => s.putRule(b.rule, b.by)),
  "rules.remove": op(z.strictObject({ id: z.string(), by: who }), (s, b) => s.removeRule(b.id, b.by)),
  "rules.replace": op(z.strictObject({ rules: z.unknown(), by: who }), (s, b) => s.replaceRules(b.rules, b.by)),
  "rules.versions": op(z.strictObject({}), (s) => s.ruleVersions()),
} as const;

export type AlarmApiOp = keyof typeof OPS;
export const ALARM_API_OPS = Object.keys(OPS) as AlarmApiOp[];

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The queue group of a cluster's alarm API subscriptions. */
export const ALARM_API_QUEUE = "vigil-alarms-api";

/** `queue`: share each request with the other members of this queue group (a cluster's nodes) instead of every node handling it. */
export function serveAlarmRequests(transport: Transport, service: AlarmService, log: Logger, options: { queue?: string } = {}): { stop(): void } {
  const subs: Subscription[] = ALARM_API_OPS.map((op) => {
    const sub = transport.subscribe(ALARM_SUBJECTS.api(op), options.queue === undefined ? undefined : { queue: options.queue });
    void (async () => {
      for await (const msg of sub) void answer(msg, op, service, log);
    })();
    return sub;
  });
  return { stop: () => subs.forEach((s) => s.unsubscribe()) };
}

async function answer(msg: TransportMessage, op: AlarmApiOp, service: AlarmService, log: Logger): Promise<void> {
  if (msg.reply === undefined) return;
  let reply: unknown;
  try {
    reply = { ok: true, result: await perform(op, msg.data, service) };
  } catch (err) {
    if (isVigilError(err)) reply = { ok: false, code: err.code, message: err.message };
    else {
      log.error({ err, op }, "alarm request failed");
      reply = { ok: false, code: "VIGIL_ACTOR_FAILED" satisfies VigilErrorCode, message: err instanceof Error ? err.message : String(err) };
    }
  }
  try {
    msg.respond(encoder.encode(JSON.stringify(reply)));
  } catch (err) {
    log.debug({ err, op }, "could not answer an alarm request (transport closing)");
  }
}

/** Parses and validates the body, then performs the operation. */
function perform(name: AlarmApiOp, data: Uint8Array, service: AlarmService): unknown {
  let body: unknown;
  try {
    body = data.length === 0 ? {} : JSON.parse(decoder.decode(data));
  } catch {
    throw new VigilError("VIGIL_ALARM_COMMAND_INVALID", `${name}: the body is not JSON`);
  }
  const operation = OPS[name] as { schema: z.ZodType; perform: (s: AlarmService, body: unknown) => unknown };
  const parsed = operation.schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new VigilError("VIGIL_ALARM_COMMAND_INVALID", `${name}: ${issue?.path.join(".") || "body"}: ${issue?.message ?? "invalid"}`);
  }
  return operation.perform(service, parsed.data);
}
