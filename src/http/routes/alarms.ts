/**
 * Alarms: the list with filters (viewer), and the operator's actions on one
 * alarm — acknowledge, shelve for a while with a reason, unshelve, and
 * feedback (real fault or false alarm; it reaches history as a training
 * label). Everything goes through the node's AlarmService, which talks to
 * the alarm actors by message; the caller's key id is who did it.
 *
 * Alarm ids are `<unit>/<rule>/<sensor>`: in a path, encode the slashes
 * (`UNIT001%2Fhigh-temp%2Ftemperature`).
 */
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { ALARM_FEEDBACK, ALARM_STATES, type AlarmService, type AlarmView } from "../../actors/alarm/index.js";
import { SEVERITIES } from "../../actors/readings/index.js";
import type { RouteModule } from "../api/app.js";
import type { ApiEnv } from "../api/env.js";
import { errorResponses, json, jsonBody, unitId } from "../api/responses.js";
import { guarded } from "../api/route.js";

export type AlarmControl = Pick<AlarmService, "list" | "acknowledge" | "shelve" | "unshelve" | "feedback">;

const alarmSchema = z
  .object({
    id: z.string().openapi({ example: "UNIT001/high-temp/temperature" }),
    unit: z.string(),
    rule: z.string(),
    sensor: z.string().nullable(),
    state: z.enum(ALARM_STATES),
    severity: z.enum(SEVERITIES),
    category: z.string(),
    message: z.string(),
    area: z.string().nullable(),
    condition: z.boolean(),
    value: z.number().nullable(),
    raisedAt: z.number().nullable(),
    acknowledgedBy: z.string().nullable(),
    comment: z.string().nullable(),
    shelvedUntil: z.number().nullable(),
    suppressedBy: z.enum(["maintenance", "parent"]).nullable(),
    escalated: z.boolean(),
    feedback: z.enum(ALARM_FEEDBACK).nullable(),
    updatedAt: z.number(),
  })
  .openapi("Alarm");

const listQuery = z.object({
  state: z.enum(ALARM_STATES).optional(),
  unit: unitId.optional(),
  severity: z.enum(SEVERITIES).optional(),
  area: z.string().min(1).max(64).optional(),
  since: z.coerce.number().int().min(0).optional().openapi({ description: "only alarms raised at or after this epoch ms" }),
});

const alarmParams = z.object({ alarmId: z.string().min(5).max(200).openapi({ description: "<unit>/<rule>/<sensor>, slashes encoded as %2F", example: "UNIT001%2Fhigh-temp%2Ftemperature" }) });
const comment = z.string().max(1000).optional();
const MAX_SHELVE_MS = 30 * 24 * 3_600_000;

const ACTIONS = {
  acknowledge: {
    summary: "Acknowledge an active or cleared alarm",
    body: z.strictObject({ comment }),
    perform: (s: AlarmControl, id: string, by: string, b: { comment?: string | undefined }) => s.acknowledge(id, by, b.comment),
  },
  shelve: {
    summary: "Shelve an alarm for durationMs (bounded by alarms.maxShelveMs), with the reason",
    body: z.strictObject({ durationMs: z.number().int().min(1000).max(MAX_SHELVE_MS), reason: z.string().min(1).max(1000) }),
    perform: (s: AlarmControl, id: string, by: string, b: { durationMs: number; reason: string }) => s.shelve(id, by, b.durationMs, b.reason),
  },
  unshelve: {
    summary: "Unshelve an alarm now",
    body: z.strictObject({ comment }),
    perform: (s: AlarmControl, id: string, by: string, b: { comment?: string | undefined }) => s.unshelve(id, by, b.comment),
  },
  feedback: {
    summary: "Say whether the alarm was a real fault or a false alarm (a training label in history)",
    body: z.strictObject({ feedback: z.enum(ALARM_FEEDBACK), comment }),
    perform: (s: AlarmControl, id: string, by: string, b: { feedback: (typeof ALARM_FEEDBACK)[number]; comment?: string | undefined }) => s.feedback(id, by, b.feedback, b.comment),
  },
} as const;

function by(c: Context<ApiEnv>): string {
  return c.get("caller")?.keyId ?? "api";
}

export function alarmRoutes(alarms: AlarmControl): RouteModule {
  const tags = ["alarms"];
  return (app, guard) => {
    app.openapi(
      guarded(guard, "viewer", {
        method: "get",
        path: "/alarms",
        tags,
        summary: "Alarms not in the normal state, newest raised first, filtered by state, unit, severity, area and since",
        request: { query: listQuery },
        responses: { 200: json(z.object({ alarms: z.array(alarmSchema) }), "the alarms") },
      }),
      async (c) => {
        const { since, ...filter } = c.req.valid("query");
        const views = await alarms.list(filter);
        const list: AlarmView[] = since === undefined ? views : views.filter((v) => v.raisedAt !== null && v.raisedAt >= since);
        return c.json({ alarms: list }, 200);
      },
    );
    for (const [action, spec] of Object.entries(ACTIONS) as [keyof typeof ACTIONS, (typeof ACTIONS)[keyof typeof ACTIONS]][]) {
      app.openapi(
        guarded(guard, "operator", {
          method: "post",
          path: `/alarms/{alarmId}/${action}`,
          tags,
          summary: spec.summary,
          request: { params: alarmParams, body: jsonBody(spec.body as z.ZodType<object>) },
          responses: { 200: json(alarmSchema, "the alarm afterwards"), ...errorResponses(404) },
        }),
        async (c) => {
          const perform = spec.perform as (s: AlarmControl, id: string, by: string, body: unknown) => Promise<AlarmView>;
          return c.json(await perform(alarms, c.req.valid("param").alarmId, by(c), c.req.valid("json")), 200);
        },
      );
    }
  };
}
