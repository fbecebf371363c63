/**
 * Devices: registered by admins (id, type, location, capacity in kW, MQTT
 * topic), read by viewers; kept in a DeviceStore (a JSON file on an
 * embedded node). The topic is recorded, not yet fed into the MQTT
 * connector's mappings: add a mapping through the connections routes.
 */
import { z } from "@hono/zod-openapi";
import { ID_PATTERN } from "../../actors/readings/index.js";
import type { RouteModule } from "../api/app.js";
import { errorResponses, json, jsonBody } from "../api/responses.js";
import { guarded } from "../api/route.js";
import { deviceSchema, type DeviceStore } from "../devices/store.js";

const params = z.object({ id: z.string().regex(ID_PATTERN, "a device id: 1-64 letters, digits, '_' or '-'") });

export function deviceRoutes(devices: DeviceStore): RouteModule {
  const tags = ["devices"];
  const base = "/devices";
  return (app, guard) => {
    app.openapi(
      guarded(guard, "viewer", { method: "get", path: base, tags, summary: "Registered devices, by id", responses: { 200: json(z.object({ devices: z.array(deviceSchema) }), "the devices") } }),
      (c) => c.json({ devices: devices.list() }, 200),
    );
    app.openapi(
      guarded(guard, "viewer", { method: "get", path: `${base}/{id}`, tags, summary: "One device", request: { params }, responses: { 200: json(deviceSchema, "the device"), ...errorResponses(404) } }),
      (c) => c.json(devices.get(c.req.valid("param").id), 200),
    );
    app.openapi(
      guarded(guard, "admin", {
        method: "post",
        path: base,
        tags,
        summary: "Register a device (409 when its id is taken); kept across restarts",
        request: { body: jsonBody(deviceSchema) },
        responses: { 201: json(deviceSchema, "the device"), ...errorResponses(409) },
      }),
      async (c) => c.json(await devices.add(c.req.valid("json")), 201),
    );
    app.openapi(
      guarded(guard, "admin", { method: "delete", path: `${base}/{id}`, tags, summary: "Remove a device", request: { params }, responses: { 204: { description: "removed" }, ...errorResponses(404) } }),
      async (c) => {
        await devices.remove(c.req.valid("param").id);
        return c.body(null, 204);
      },
    );
  };
}
