/**
 * The models area, over the node's ModelService: versions with their
 * metrics and stages, the registry's audit, promote and roll back (admins:
 * they change what scores the plant), train now and the trainers' status
 * (operators start runs; the promotion rule still decides), and the drift
 * check. Every change names the caller's key as `who` in the registry's
 * own audit, beside the API's audit trail.
 */
import { z } from "@hono/zod-openapi";
import { TRAINER_KINDS } from "../../actors/trainer/index.js";
import { ALGORITHMS, STAGES, TASKS, type ModelVersion } from "../../ml/index.js";
import type { ModelService } from "../../node/model-service.js";
import { VigilError } from "../../runtime/index.js";
import type { RouteModule } from "../api/app.js";
import { errorResponses, json, jsonBody } from "../api/responses.js";
import { guarded } from "../api/route.js";

export type ModelControl = Pick<ModelService, "list" | "audit" | "promote" | "rollback" | "trainNow" | "status" | "checkDrift">;

const numbers = z.record(z.string(), z.number());

const versionSchema = z
  .object({
    model: z.string().openapi({ example: "anomaly.temperature" }),
    version: z.number().int(),
    stage: z.enum(STAGES),
    algorithm: z.enum(ALGORITHMS),
    task: z.enum(TASKS),
    features: z.array(z.string()).readonly(),
    params: numbers,
    metrics: numbers,
    trainingWindow: z.object({ from: z.number(), to: z.number() }),
    dataHash: z.string(),
    seed: z.number(),
    createdAt: z.number(),
    onnxSha256: z.string(),
    onnxSize: z.number().int(),
  })
  .openapi("ModelVersion");

const auditSchema = z
  .object({
    ts: z.number(),
    model: z.string(),
    version: z.number().int(),
    action: z.enum(["register", "transition", "rollback"]),
    from: z.enum(STAGES).nullable(),
    to: z.enum(STAGES),
    who: z.string(),
    why: z.string(),
  })
  .openapi("ModelAuditEntry");

const driftSchema = z.object({ model: z.string(), version: z.number().int(), at: z.number(), feature: z.string().nullable(), psi: z.number(), drifted: z.boolean(), retrainedAt: z.number().nullable(), retraining: z.string().nullable() }).openapi("DriftFinding");

const trainingSchema = z
  .object({
    kind: z.enum(TRAINER_KINDS),
    state: z.enum(["idle", "running"]),
    jobId: z.string().nullable(),
    lastResult: z
      .object({
        jobId: z.string(),
        trigger: z.string(),
        startedAt: z.number(),
        finishedAt: z.number(),
        window: z.object({ from: z.number(), to: z.number() }),
        models: z
          .array(
            z.object({
              model: z.string(),
              version: z.number().int(),
              stage: z.string(),
              promoted: z.boolean(),
              reason: z.string(),
              metrics: numbers,
              dataHash: z.string(),
              rows: z.object({ train: z.number().int(), holdout: z.number().int() }),
            }),
          )
          .readonly(),
        failures: z.array(z.object({ model: z.string(), code: z.string().nullable(), message: z.string() })).readonly(),
      })
      .nullable()
      .openapi({ description: "the last run: trigger, window, each model's outcome (version, promoted or why not, metrics) and failures" }),
    lastError: z.object({ jobId: z.string(), at: z.number(), code: z.string().nullable(), message: z.string() }).nullable(),
    nextRun: z.number().nullable(),
    drift: z.array(driftSchema).readonly(),
  })
  .openapi("TrainingStatus");

const why = z.string().min(1).max(500).optional().openapi({ description: "why, for the registry's audit (default: through the control API)" });
const modelParams = z.object({ model: z.string().min(1).max(200) });
const body = <T extends z.ZodType>(schema: T) => ({ body: jsonBody(schema) });

function found(versions: readonly ModelVersion[], model: string, version: number): ModelVersion {
  const v = versions.find((x) => x.version === version);
  if (v === undefined) throw new VigilError("VIGIL_MODEL_NOT_FOUND", `model ${model} has no version ${version}`);
  return v;
}

export function modelRoutes(models: ModelControl): RouteModule {
  const base = "/models";
  const tags = ["models"];
  return (app, guard) => {
    const by = (c: { get(key: "caller"): { keyId: string } | undefined }, reason: string | undefined) => ({ who: c.get("caller")?.keyId ?? "api", why: reason ?? "through the control API" });

    app.openapi(
      guarded(guard, "viewer", {
        method: "get",
        path: base,
        tags,
        summary: "Every version of every model (or of one), oldest first, with metrics, params, features, training window and stage",
        request: { query: z.object({ model: z.string().min(1).optional() }) },
        responses: { 200: json(z.object({ versions: z.array(versionSchema) }), "the versions"), ...errorResponses(503) },
      }),
      async (c) => c.json({ versions: await models.list(c.req.valid("query").model) }, 200),
    );
    app.openapi(
      guarded(guard, "viewer", {
        method: "get",
        path: `${base}/audit`,
        tags,
        summary: "The registry's audit of every change (register, transition, rollback), oldest first",
        request: { query: z.object({ model: z.string().min(1).optional() }) },
        responses: { 200: json(z.object({ entries: z.array(auditSchema) }), "the entries"), ...errorResponses(503) },
      }),
      async (c) => c.json({ entries: await models.audit(c.req.valid("query").model) }, 200),
    );
    app.openapi(
      guarded(guard, "viewer", {
        method: "get",
        path: `${base}/{model}/versions/{version}`,
        tags,
        summary: "One version's manifest",
        request: { params: modelParams.extend({ version: z.coerce.number().int().min(1) }) },
        responses: { 200: json(versionSchema, "the version"), ...errorResponses(404, 503) },
      }),
      async (c) => {
        const { model, version } = c.req.valid("param");
        return c.json(found(await models.list(model), model, version), 200);
      },
    );
    app.openapi(
      guarded(guard, "admin", {
        method: "post",
        path: `${base}/{model}/versions/{version}/promote`,
        tags,
        summary: "Put a version in Production (through Staging when needed), archiving the current one",
        request: { params: modelParams.extend({ version: z.coerce.number().int().min(1) }), ...body(z.strictObject({ why })) },
        responses: { 200: json(versionSchema, "the version, in Production"), ...errorResponses(404, 409, 503) },
      }),
      async (c) => {
        const { model, version } = c.req.valid("param");
        return c.json(await models.promote(model, version, by(c, c.req.valid("json").why)), 200);
      },
    );
    app.openapi(
      guarded(guard, "admin", {
        method: "post",
        path: `${base}/{model}/rollback`,
        tags,
        summary: "Put an earlier version back in Production (checked loadable first), archiving the current one",
        request: { params: modelParams, ...body(z.strictObject({ version: z.number().int().min(1), why })) },
        responses: { 200: json(versionSchema, "the version, in Production"), ...errorResponses(404, 409, 503) },
      }),
      async (c) => {
        const { model } = c.req.valid("param");
        const { version, why: reason } = c.req.valid("json");
        return c.json(await models.rollback(model, version, by(c, reason)), 200);
      },
    );
    app.openapi(
      guarded(guard, "viewer", {
        method: "get",
        path: `${base}/training`,
        tags,
        summary: "Each trainer's status: idle or running, last result, last error, next run, last drift check",
        responses: { 200: json(z.object({ trainers: z.array(trainingSchema) }), "the trainers (none when training is off)") },
      }),
      (c) => c.json({ trainers: models.status() }, 200),
    );
    app.openapi(
      guarded(guard, "operator", {
        method: "post",
        path: `${base}/training`,
        tags,
        summary: "Start a training run of one kind now (or join the one under way); its outcome shows in the status",
        request: body(z.strictObject({ kind: z.enum(TRAINER_KINDS) })),
        responses: { 202: json(z.object({ jobId: z.string(), kind: z.enum(TRAINER_KINDS) }), "started"), ...errorResponses(409) },
      }),
      (c) => c.json(models.trainNow(c.req.valid("json").kind, `on demand by ${c.get("caller")?.keyId ?? "api"}`), 202),
    );
    app.openapi(
      guarded(guard, "operator", {
        method: "post",
        path: `${base}/drift-check`,
        tags,
        summary: "Run the drift check now: a drifted model raises system.model_drift and starts a retraining",
        responses: { 200: json(z.object({ findings: z.array(driftSchema) }), "each Production model's finding") },
      }),
      async (c) => c.json({ findings: await models.checkDrift() }, 200),
    );
  };
}
