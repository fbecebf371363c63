/**
 * Alarm rules: read by viewers, changed by admins. Each change makes a new
 * rule set version in the node's RuleRegistry, which the AlarmService
 * distributes to every shard worker (and other nodes) before the answer
 * goes out. The rule body is validated once, by the registry (src/rules
 * schema): an invalid one is 400 VIGIL_RULE_INVALID naming the field.
 */
import { z } from "@hono/zod-openapi";
import type { AlarmService } from "../../actors/alarm/index.js";
import { RULE_ID_PATTERN } from "../../rules/index.js";
import { VigilError } from "../../runtime/index.js";
import type { RouteModule } from "../api/app.js";
import { errorResponses, json, jsonBody } from "../api/responses.js";
import { guarded } from "../api/route.js";

export type RuleControl = Pick<AlarmService, "rules" | "rule" | "putRule" | "removeRule" | "ruleVersions">;

const ruleSchema = z
  .record(z.string(), z.unknown())
  .openapi("Rule", {
    description: "{id, name?, enabled?, unit?, severity, category, message, condition, deadband?, onDelayMs?, offDelayMs?, parent?} (README: Alarms)",
    example: { id: "high-temp", severity: "HIGH", category: "THERMAL", message: "{unit} {sensor} at {value}", condition: { type: "greater_than", sensor: "temperature", value: 90 } },
  });
const ruleParams = z.object({ id: z.string().regex(RULE_ID_PATTERN, "a rule id: letters, digits, '_', '.' or '-'") });
const versionSchema = z.object({ version: z.number().int() });

export function ruleRoutes(rules: RuleControl): RouteModule {
  const tags = ["rules"];
  const base = "/rules";
  return (app, guard) => {
    app.openapi(
      guarded(guard, "viewer", {
        method: "get",
        path: base,
        tags,
        summary: "The current rule set and its version",
        responses: { 200: json(versionSchema.extend({ rules: z.array(ruleSchema) }), "the rules") },
      }),
      (c) => c.json({ version: rules.ruleVersions().version, rules: [...rules.rules()] as Record<string, unknown>[] }, 200),
    );
    app.openapi(
      guarded(guard, "viewer", {
        method: "get",
        path: `${base}/versions`,
        tags,
        summary: "The rule set's change history: who changed which rule, when, to which version",
        responses: {
          200: json(versionSchema.extend({ changes: z.array(z.object({ version: z.number(), at: z.number(), by: z.string(), action: z.string(), ruleId: z.string().nullable() })) }), "the changes"),
          ...errorResponses(401, 429),
        },
      }),
      (c) => {
        const v = rules.ruleVersions();
        return c.json({ version: v.version, changes: [...v.changes] }, 200);
      },
    );
    app.openapi(
      guarded(guard, "viewer", {
        method: "get",
        path: `${base}/{id}`,
        tags,
        summary: "One rule",
        request: { params: ruleParams },
        responses: { 200: json(ruleSchema, "the rule"), ...errorResponses(404) },
      }),
      (c) => c.json(rules.rule(c.req.valid("param").id) as Record<string, unknown>, 200),
    );
    app.openapi(
      guarded(guard, "admin", {
        method: "post",
        path: base,
        tags,
        summary: "Add a rule (409 when its id is taken); answers once every worker evaluates the new version",
        request: { body: jsonBody(ruleSchema) },
        responses: { 201: json(versionSchema.extend({ rule: ruleSchema }), "the rule as stored, and the new version"), ...errorResponses(409) },
      }),
      async (c) => {
        const input = c.req.valid("json");
        if (typeof input["id"] === "string" && rules.rules().some((r) => r.id === input["id"])) {
          throw new VigilError("VIGIL_RULE_EXISTS", `rule "${input["id"]}" exists: PUT ${base}/${input["id"]} to change it`);
        }
        const { version, rule } = await rules.putRule(input, c.get("caller")?.keyId ?? "api");
        return c.json({ version, rule: rule }, 201);
      },
    );
    app.openapi(
      guarded(guard, "admin", {
        method: "put",
        path: `${base}/{id}`,
        tags,
        summary: "Replace a rule (the body's id, if given, must be the path's)",
        request: { params: ruleParams, body: jsonBody(ruleSchema) },
        responses: { 200: json(versionSchema.extend({ rule: ruleSchema }), "the rule as stored, and the new version"), ...errorResponses(404) },
      }),
      async (c) => {
        const { id } = c.req.valid("param");
        const input = c.req.valid("json");
        if (input["id"] !== undefined && input["id"] !== id) throw new VigilError("VIGIL_RULE_INVALID", `id: the body's id ${JSON.stringify(input["id"])} is not the path's "${id}"`);
        rules.rule(id); // 404 when there is none: POST adds
        const { version, rule } = await rules.putRule({ ...input, id }, c.get("caller")?.keyId ?? "api");
        return c.json({ version, rule: rule }, 200);
      },
    );
    app.openapi(
      guarded(guard, "admin", {
        method: "delete",
        path: `${base}/{id}`,
        tags,
        summary: "Remove a rule; its alarms end",
        request: { params: ruleParams },
        responses: { 200: json(versionSchema, "the new version"), ...errorResponses(404) },
      }),
      async (c) => c.json(await rules.removeRule(c.req.valid("param").id, c.get("caller")?.keyId ?? "api"), 200),
    );
  };
}
