/**
 * Devices: registered by admins (id, type, location, capacity in kW, MQTT
 * topic), read by viewers; kept in a DeviceStore (a JSON file on an
 * embedded node). The topic is recorded, not yet fed into the MQTT
 * connector's mappings: add a mapping through the connections routes.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { ID_PATTERN } from "../../actors/readings/index.js";
import type { RouteModule } from "../api/app.js";
import { API_PREFIX } from "../api/env.js";
import { errorResponses, json, jsonBody } from "../api/responses.js";
import { deviceSchema, type DeviceStore } from "../devices/store.js";

const params = z.object({ id: z.string().regex(ID_PATTERN, "a device id: 1-64 letters, digits, '_' or '-'") });

export function deviceRoutes(devices: DeviceStore): RouteModule {
  const tags = ["devices"];
  const base = `${API_PREFIX}/devices`;
  return (app, guard) => {
    app.openapi(
      createRoute({ method: "get", path: base, tags, summary: "Registered devices, by id", middleware: guard("viewer"), responses: { 200: json(z.object({ devices: z.array(deviceSchema) }), "the devices"), ...errorResponses(401, 429) } }),
      (c) => c.json({ devices: devices.list() }, 200),
    );
    app.openapi(
      createRoute({ method: "get", path: `${base}/{id}`, tags, summary: "One device", middleware: guard("viewer"), request: { params }, responses: { 200: json(deviceSchema, "the device"), ...errorResponses(400, 401, 404, 429) } }),
      (c) => c.json(devices.get(c.req.valid("param").id), 200),
    );
    app.openapi(
      createRoute({
        method: "post",
        path: base,
        tags,
        summary: "Register a device (409 when its id is taken); kept across restarts",
        middleware: guard("admin"),
        request: { body: jsonBody(deviceSchema) },
        responses: { 201: json(deviceSchema, "the device"), ...errorResponses(400, 401, 403, 409, 413, 429) },
      }),
      async (c) => c.json(await devices.add(c.req.valid("json")), 201),
    );
    app.openapi(
      createRoute({ method: "delete", path: `${base}/{id}`, tags, summary: "Remove a device", middleware: guard("admin"), request: { params }, responses: { 204: { description: "removed" }, ...errorResponses(400, 401, 403, 404, 429) } }),
      async (c) => {
        await devices.remove(c.req.valid("param").id);
        return c.body(null, 204);
      },
    );
  };
}
