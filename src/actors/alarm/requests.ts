/**
 * The alarm API on the transport, so any node (and tools) can reach it:
 * `vigil.alarms.api.<op>` request/reply with JSON bodies, validated here at
 * the boundary. Replies are `{"ok": true, "result": …}` or
 * `{"ok": false, "code": "VIGIL_…", "message": "…"}`.
 *
 * ops: ack, shelve, unshelve, feedback, list, rules.list, rules.get,
 * rules.put, rules.remove, rules.replace, rules.versions
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

const OPS = {
  ack: z.strictObject({ alarmId, by: who, comment }),
  shelve: z.strictObject({ alarmId, by: who, durationMs: z.number().int().min(1), comment }),
  unshelve: z.strictObject({ alarmId, by: who, comment }),
  feedback: z.strictObject({ alarmId, by: who, feedback: z.enum(ALARM_FEEDBACK), comment }),
  list: z.strictObject({ unit: z.string().optional(), area: z.string().optional(), severity: z.string().optional(), state: z.enum(ALARM_STATES).optional() }),
  "rules.list": z.strictObject({}),
  "rules.get": z.strictObject({ id: z.string() }),
  "rules.put": z.strictObject({ rule: z.unknown(), by: who }),
  "rules.remove": z.strictObject({ id: z.string(), by: who }),
  "rules.replace": z.strictObject({ rules: z.unknown(), by: who }),
  "rules.versions": z.strictObject({}),
} as const;

export type AlarmApiOp = keyof typeof OPS;
export const ALARM_API_OPS = Object.keys(OPS) as AlarmApiOp[];

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function serveAlarmRequests(transport: Transport, service: AlarmService, log: Logger): { stop(): void } {
  const subs: Subscription[] = ALARM_API_OPS.map((op) => {
    const sub = transport.subscribe(ALARM_SUBJECTS.api(op));
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
    reply = { ok: true, result: await perform(op, parse(op, msg.data), service) };
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

function parse(op: AlarmApiOp, data: Uint8Array): unknown {
  let body: unknown;
  try {
    body = data.length === 0 ? {} : JSON.parse(decoder.decode(data));
  } catch {
    throw new VigilError("VIGIL_ALARM_COMMAND_INVALID", `${op}: the body is not JSON`);
  }
  const parsed = OPS[op].safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new VigilError("VIGIL_ALARM_COMMAND_INVALID", `${op}: ${issue?.path.join(".") || "body"}: ${issue?.message ?? "invalid"}`);
  }
  return parsed.data;
}

async function perform(op: AlarmApiOp, body: unknown, s: AlarmService): Promise<unknown> {
  switch (op) {
    case "ack": {
      const b = body as z.infer<(typeof OPS)["ack"]>;
      return s.acknowledge(b.alarmId, b.by, b.comment);
    }
    case "shelve": {
      const b = body as z.infer<(typeof OPS)["shelve"]>;
      return s.shelve(b.alarmId, b.by, b.durationMs, b.comment);
    }
    case "unshelve": {
      const b = body as z.infer<(typeof OPS)["unshelve"]>;
      return s.unshelve(b.alarmId, b.by, b.comment);
    }
    case "feedback": {
      const b = body as z.infer<(typeof OPS)["feedback"]>;
      return s.feedback(b.alarmId, b.by, b.feedback, b.comment);
    }
    case "list":
      return s.list(body as z.infer<(typeof OPS)["list"]>);
    case "rules.list":
      return { version: s.ruleVersions().version, rules: s.rules() };
    case "rules.get":
      return s.rule((body as { id: string }).id);
    case "rules.put": {
      const b = body as z.infer<(typeof OPS)["rules.put"]>;
      return s.putRule(b.rule, b.by);
    }
    case "rules.remove": {
      const b = body as z.infer<(typeof OPS)["rules.remove"]>;
      return s.removeRule(b.id, b.by);
    }
    case "rules.replace": {
      const b = body as z.infer<(typeof OPS)["rules.replace"]>;
      return s.replaceRules(b.rules, b.by);
    }
    case "rules.versions":
      return s.ruleVersions();
  }
}
