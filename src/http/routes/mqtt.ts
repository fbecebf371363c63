/**
 * Connections area, MQTT: the connector's status, disconnect and connect at
 * run time (operators: a misbehaving broker link is theirs to bounce), and
 * topic mappings added and removed at run time (admins: they change what
 * becomes a reading; changes last until the process ends — the config file is what a
 * restart reads). A node with `mqtt.enabled: false` answers 409
 * VIGIL_CONNECTOR_DISABLED.
 */
import { z } from "@hono/zod-openapi";
import { MQTT_CONNECTION_STATES, type MqttConnector } from "../../actors/connectors/index.js";
import { topicMappingSchema } from "../../config/index.js";
import type { RouteModule } from "../api/app.js";
import { enabledPart } from "../api/disabled.js";
import { errorResponses, json, jsonBody } from "../api/responses.js";
import { guarded } from "../api/route.js";

export type MqttControl = Pick<MqttConnector, "status" | "connect" | "disconnect" | "subscribe" | "unsubscribe">;

const statusSchema = z
  .object({
    state: z.enum(MQTT_CONNECTION_STATES),
    url: z.string(),
    clientId: z.string(),
    connects: z.number().int(),
    subscribes: z.number().int(),
    sessionResumed: z.boolean(),
    messages: z.number().int(),
    pendingPublishes: z.number().int(),
    lastError: z.string().nullable(),
    topics: z.array(z.string()).readonly(),
    since: z.number().int().openapi({ description: "epoch ms of the last state change" }),
  })
  .openapi("MqttStatus");

const statusAnswer = (description: string) => json(statusSchema, description);

export function mqttRoutes(mqtt: MqttControl | undefined): RouteModule {
  const connector = enabledPart(mqtt, "VIGIL_CONNECTOR_DISABLED", "MQTT is off on this node (mqtt.enabled is false)");
  const base = "/connections/mqtt";
  const tags = ["connections"];
  return (app, guard) => {
    app.openapi(
      guarded(guard, "viewer", {
        method: "get",
        path: base,
        tags,
        summary: "The MQTT connector's state, counts and topic patterns",
        responses: { 200: statusAnswer("the status"), ...errorResponses(409) },
      }),
      (c) => c.json(connector().status(), 200),
    );
    app.openapi(
      guarded(guard, "operator", {
        method: "post",
        path: `${base}/disconnect`,
        tags,
        summary: "Close the broker connection (drained; the session and its QoS 1 messages stay at the broker) until connect",
        responses: { 200: statusAnswer("the status, paused"), ...errorResponses(409, 503) },
      }),
      async (c) => c.json(await connector().disconnect(), 200),
    );
    app.openapi(
      guarded(guard, "operator", {
        method: "post",
        path: `${base}/connect`,
        tags,
        summary: "Connect again after a disconnect; answers once connected, or after mqtt.connectTimeoutMs while it keeps trying",
        responses: { 200: statusAnswer("the status"), ...errorResponses(409, 503) },
      }),
      async (c) => c.json(await connector().connect(), 200),
    );
    app.openapi(
      guarded(guard, "admin", {
        method: "post",
        path: `${base}/subscriptions`,
        tags,
        summary: "Add a topic mapping (the shape of an mqtt.topics entry) and subscribe to it",
        request: { body: jsonBody(topicMappingSchema) },
        responses: { 201: statusAnswer("subscribed (or to be, on the next connect)"), ...errorResponses(409, 502, 503) },
      }),
      async (c) => c.json(await connector().subscribe(c.req.valid("json")), 201),
    );
    app.openapi(
      guarded(guard, "admin", {
        method: "delete",
        path: `${base}/subscriptions`,
        tags,
        summary: "Remove a topic mapping (its pattern as listed in topics) and unsubscribe from its filter",
        request: { query: z.object({ topic: z.string().min(1).openapi({ example: "lines/{line}/{unit}/{sensor}" }) }) },
        responses: { 200: statusAnswer("unsubscribed (or to be, on the next connect)"), ...errorResponses(404, 409, 502, 503) },
      }),
      async (c) => c.json(await connector().unsubscribe(c.req.valid("query").topic), 200),
    );
  };
}
