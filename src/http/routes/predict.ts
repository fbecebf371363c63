/**
 * Predictions: `POST /api/v1/predict` scores one feature row or a batch
 * with a named model (anomaly.<type>, unit_state, unit_rul,
 * solar_forecast), its Production version unless `version` names another,
 * and answers each row's outputs and their meaning. Viewers may ask: it
 * changes nothing. The body's shape is checked here (400); what depends on
 * the version — its features, its existence, the batch bound — is checked
 * by the service with codes of its own (src/node/predictions.ts).
 */
import { z } from "@hono/zod-openapi";
import { OPERATIONAL_STATES } from "../../actors/readings/index.js";
import { STAGES, TASKS } from "../../ml/index.js";
import type { PredictionService } from "../../node/predictions.js";
import type { RouteModule } from "../api/app.js";
import { errorResponses, json, jsonBody } from "../api/responses.js";
import { guarded } from "../api/route.js";

export type PredictControl = Pick<PredictionService, "predict">;

const row = z.record(z.string(), z.number()).openapi({ description: "feature name → value; the version's features (GET /api/v1/models) must all be there", example: { c5_mean: 41.2, c5_std: 0.4 } });

const requestSchema = z
  .strictObject({
    model: z.string().min(1).max(200).openapi({ example: "anomaly.temperature" }),
    version: z.number().int().min(1).optional().openapi({ description: "default: the version in Production" }),
    row: row.optional().openapi({ description: "one row (or give rows)" }),
    rows: z.array(row).min(1).optional().openapi({ description: "a batch (or give row); at most models.predict.maxRows" }),
  })
  .refine((b) => (b.row === undefined) !== (b.rows === undefined), { message: "give either row or rows", path: ["rows"] })
  .openapi("PredictRequest");

const probabilities = z.record(z.enum(OPERATIONAL_STATES), z.number());

const predictionSchema = z
  .object({
    outputs: z.array(z.number()).openapi({ description: "the model's raw outputs for the row" }),
    score: z.number().optional().openapi({ description: "anomaly.<type>: 0 (normal) .. 1" }),
    anomalous: z.boolean().optional().openapi({ description: "anomaly.<type>: score ≥ threshold" }),
    state: z.enum(OPERATIONAL_STATES).optional().openapi({ description: "unit_state: the most probable operational state" }),
    probabilities: probabilities.optional(),
    rul_hours: z.number().optional().openapi({ description: "unit_rul: remaining useful life" }),
    health: z.number().optional().openapi({ description: "unit_rul: min(1, rul_hours / models.scoring.healthyRulHours)" }),
    power_kw: z.number().optional().openapi({ description: "solar_forecast" }),
  })
  .openapi("Prediction");

const answerSchema = z
  .object({
    model: z.string(),
    version: z.number().int(),
    stage: z.enum(STAGES),
    model_version: z.string().openapi({ example: "anomaly.temperature@1" }),
    task: z.enum(TASKS),
    features: z.array(z.string()).readonly(),
    threshold: z.number().nullable(),
    predictions: z.array(predictionSchema).openapi({ description: "one per row, in order" }),
  })
  .openapi("PredictAnswer");

export function predictRoutes(predictions: PredictControl): RouteModule {
  return (app, guard) => {
    app.openapi(
      guarded(guard, "viewer", {
        method: "post",
        path: "/predict",
        tags: ["models"],
        summary: "Score feature rows with a model (its Production version, or `version`): each row's outputs and their meaning",
        description:
          "Errors: 400 VIGIL_API_FEATURE_MISSING (a row lacks one of the version's features), 404 VIGIL_API_MODEL_UNKNOWN (no such model or version, or none in Production), 413 VIGIL_API_BATCH_TOO_LARGE (more rows than models.predict.maxRows), 503 VIGIL_API_OVERLOADED.",
        request: { body: jsonBody(requestSchema) },
        responses: { 200: json(answerSchema, "the predictions"), ...errorResponses(404, 503) },
      }),
      async (c) => {
        const body = c.req.valid("json");
        const rows = body.rows ?? (body.row === undefined ? [] : [body.row]);
        return c.json(await predictions.predict({ model: body.model, version: body.version, rows }), 200);
      },
    );
  };
}
