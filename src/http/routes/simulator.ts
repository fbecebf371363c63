/**
 * The simulator area: its status, start and stop, and the scenarios it
 * plays (list, inject, end). Reading is for viewers; driving the simulator
 * is for operators (a scenario raises real alarms downstream). A node run
 * with `simulator.enabled: false` is fed by a real plant: every route then
 * answers 409 VIGIL_SIMULATOR_DISABLED rather than start a fake one there.
 */
import { z } from "@hono/zod-openapi";
import { SCENARIO_KINDS, scenarioRequestSchema, type SimulatorRunner } from "../../actors/simulator/index.js";
import { VigilError } from "../../runtime/index.js";
import type { RouteModule } from "../api/app.js";
import { enabledPart } from "../api/disabled.js";
import { errorResponses, json, jsonBody } from "../api/responses.js";
import { guarded } from "../api/route.js";

/** What the routes drive; the node's runner, or undefined when the simulator is off. */
export type SimulatorControl = Pick<SimulatorRunner, "status" | "start" | "stop" | "inject" | "clear">;

const scenarioSchema = z
  .object({
    id: z.string().openapi({ example: "sc-3" }),
    unit: z.string(),
    kind: z.enum(SCENARIO_KINDS),
    sensors: z.array(z.string()).readonly(),
    magnitude: z.number(),
    startedAt: z.number().int().openapi({ description: "epoch ms" }),
    endsAt: z.number().int().openapi({ description: "epoch ms" }),
  })
  .openapi("Scenario");

const statusSchema = z
  .object({
    running: z.boolean(),
    mode: z.enum(["plant", "run-to-failure"]),
    units: z.number().int(),
    sensorsPerUnit: z.number().int(),
    solarDevices: z.number().int().openapi({ description: "solar devices (SOLAR001..), not counted in units" }),
    readingsPerSecond: z.number(),
    generated: z.number().int(),
    lagMs: z.number(),
    activeScenarios: z.array(scenarioSchema).readonly(),
    publishers: z.array(z.object({ name: z.string(), published: z.number().int(), failures: z.number().int(), lastError: z.string().nullable() })).readonly(),
  })
  .openapi("SimulatorStatus");

const clearQuery = z.object({
  unit: z.string().min(1).openapi({ description: "the unit whose scenarios end" }),
  kind: z.enum(SCENARIO_KINDS).optional().openapi({ description: "only scenarios of this kind" }),
});

export function simulatorRoutes(simulator: SimulatorControl | undefined): RouteModule {
  const runner = enabledPart(simulator, "VIGIL_SIMULATOR_DISABLED", "the simulator is off on this node (simulator.enabled is false): it is fed by a real plant");
  const base = "/simulator";
  const tags = ["simulator"];
  return (app, guard) => {
    app.openapi(
      guarded(guard, "viewer", {
        method: "get",
        path: base,
        tags,
        summary: "The simulator's status: running, rate, lag, active scenarios, publishers",
        responses: { 200: json(statusSchema, "the status"), ...errorResponses(409) },
      }),
      (c) => c.json(runner().status(), 200),
    );
    for (const action of ["start", "stop"] as const) {
      app.openapi(
        guarded(guard, "operator", {
          method: "post",
          path: `${base}/${action}`,
          tags,
          summary: action === "start" ? "Start producing readings (no change when running)" : "Stop producing readings (no change when stopped)",
          responses: { 200: json(statusSchema, "the status afterwards"), ...errorResponses(409) },
        }),
        async (c) => {
          const r = runner();
          await (action === "start" ? r.start() : r.stop());
          return c.json(r.status(), 200);
        },
      );
    }
    app.openapi(
      guarded(guard, "viewer", {
        method: "get",
        path: `${base}/scenarios`,
        tags,
        summary: "Scenarios injected and not over yet",
        responses: { 200: json(z.object({ scenarios: z.array(scenarioSchema).readonly() }), "the active scenarios"), ...errorResponses(409) },
      }),
      (c) => c.json({ scenarios: runner().status().activeScenarios }, 200),
    );
    app.openapi(
      guarded(guard, "operator", {
        method: "post",
        path: `${base}/scenarios`,
        tags,
        summary: "Inject a scenario into a simulated unit now",
        // A clone: zod 4 copies methods onto a schema when it is made, and the simulator's schema may be made before
        // @hono/zod-openapi adds `.openapi` (when the node imports the simulator first, as `vigil start` does).
        request: { body: jsonBody(scenarioRequestSchema.clone().openapi("ScenarioRequest")) },
        responses: { 201: json(scenarioSchema, "the scenario, as it plays"), ...errorResponses(404, 409) },
      }),
      (c) => c.json(runner().inject(c.req.valid("json")), 201),
    );
    app.openapi(
      guarded(guard, "operator", {
        method: "delete",
        path: `${base}/scenarios/{id}`,
        tags,
        summary: "End one scenario now",
        request: { params: z.object({ id: z.string().min(1) }) },
        responses: { 200: json(z.object({ cleared: z.number().int() }), "ended"), ...errorResponses(404, 409) },
      }),
      (c) => {
        const { id } = c.req.valid("param");
        const cleared = runner().clear({ id });
        if (cleared === 0) throw new VigilError("VIGIL_API_NOT_FOUND", `no active scenario "${id}"`);
        return c.json({ cleared }, 200);
      },
    );
    app.openapi(
      guarded(guard, "operator", {
        method: "delete",
        path: `${base}/scenarios`,
        tags,
        summary: "End a unit's scenarios now (of one kind, or all)",
        request: { query: clearQuery },
        responses: { 200: json(z.object({ cleared: z.number().int() }), "how many ended (0 when none was active)"), ...errorResponses(409) },
      }),
      (c) => {
        const { unit, kind } = c.req.valid("query");
        return c.json({ cleared: runner().clear(kind === undefined ? { unit } : { unit, kind }) }, 200);
      },
    );
  };
}
