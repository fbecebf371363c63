/**
 * Connections area, OPC UA: each endpoint's connection state, and browsing
 * and reading a server's address space through the connector's session
 * ("what is on this PLC?", "what does this node read now?") — viewers;
 * disconnecting an endpoint and connecting it again — operators, as for
 * MQTT; adding an endpoint (URL, security mode and policy, user) and
 * mapping nodes to readings or unmapping them — admins: they change what
 * becomes a reading, until the process ends (a restart reads the config
 * file). `endpoint` names one of the node's endpoints and may be left out
 * when there is one. A node with `opcua.enabled: false` answers 409
 * VIGIL_CONNECTOR_DISABLED.
 */
import { z } from "@hono/zod-openapi";
import type { OpcUaConnections } from "../../actors/connectors/index.js";
import { opcUaEndpointSchema, opcUaNodeMappingSchema } from "../../config/index.js";
import type { RouteModule } from "../api/app.js";
import { enabledPart } from "../api/disabled.js";
import { errorResponses, json, jsonBody } from "../api/responses.js";
import { guarded } from "../api/route.js";

export type OpcUaControl = Pick<OpcUaConnections, "status" | "browse" | "read" | "connect" | "disconnect" | "addEndpoint" | "subscribe" | "unsubscribe">;

const endpointSchema = z
  .object({
    endpoint: z.string(),
    endpointUrl: z.string(),
    state: z.enum(["connecting", "connected", "reconnecting", "disconnected"]),
    since: z.number().int(),
    monitoredNodes: z.number().int(),
    badNodes: z.array(z.object({ nodeId: z.string(), unit: z.string(), sensor: z.string(), reason: z.string() })).readonly(),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
  })
  .openapi("OpcUaEndpointStatus");

const browsedSchema = z
  .object({ nodeId: z.string(), browseName: z.string(), displayName: z.string(), nodeClass: z.string().openapi({ example: "Variable" }) })
  .openapi("OpcUaBrowsedNode");

const valueSchema = z
  .object({
    nodeId: z.string(),
    value: z.unknown(),
    quality: z.enum(["GOOD", "UNCERTAIN", "BAD"]),
    status: z.string().openapi({ example: "Good" }),
    sourceTimestamp: z.number().int().optional(),
  })
  .openapi("OpcUaNodeValue");

const endpointParam = z.string().min(1).optional().openapi({ description: "the endpoint's name; may be left out when the node has one" });
const endpointBody = jsonBody(z.strictObject({ endpoint: endpointParam }));
const subscribeBody = jsonBody(
  z.strictObject({
    endpoint: endpointParam,
    nodes: z.array(opcUaNodeMappingSchema).min(1).openapi({ description: "{nodeId, unit, sensor, scale?, offset?}: the reading is value × scale + offset" }),
  }),
);

export function opcuaRoutes(opcua: OpcUaControl | undefined): RouteModule {
  const connector = enabledPart(opcua, "VIGIL_CONNECTOR_DISABLED", "OPC UA is off on this node (opcua.enabled is false)");
  const base = "/connections/opcua";
  const tags = ["connections"];
  return (app, guard) => {
    app.openapi(
      guarded(guard, "viewer", {
        method: "get",
        path: base,
        tags,
        summary: "Each OPC UA endpoint's connection state, monitored and refused nodes",
        responses: { 200: json(z.object({ endpoints: z.array(endpointSchema) }), "the endpoints"), ...errorResponses(409) },
      }),
      (c) => c.json({ endpoints: connector().status() }, 200),
    );
    app.openapi(
      guarded(guard, "viewer", {
        method: "get",
        path: `${base}/browse`,
        tags,
        summary: "The children of a node (default: the Objects folder, i=85)",
        request: { query: z.object({ endpoint: endpointParam, nodeId: z.string().min(1).optional().openapi({ example: "ns=1;s=UNIT001" }) }) },
        responses: { 200: json(z.object({ nodeId: z.string(), children: z.array(browsedSchema) }), "the children"), ...errorResponses(404, 409, 502, 503) },
      }),
      async (c) => {
        const { endpoint, nodeId = "i=85" } = c.req.valid("query");
        return c.json({ nodeId, children: await connector().browse(nodeId, endpoint) }, 200);
      },
    );
    app.openapi(
      guarded(guard, "viewer", {
        method: "get",
        path: `${base}/read`,
        tags,
        summary: "A node's current value, straight from the server",
        request: { query: z.object({ endpoint: endpointParam, nodeId: z.string().min(1).openapi({ example: "ns=1;s=UNIT001.temperature" }) }) },
        responses: { 200: json(valueSchema, "the value"), ...errorResponses(404, 409, 502, 503) },
      }),
      async (c) => {
        const { endpoint, nodeId } = c.req.valid("query");
        const v = await connector().read(nodeId, endpoint);
        return c.json({ ...v, sourceTimestamp: v.sourceTimestamp }, 200);
      },
    );
    app.openapi(
      guarded(guard, "operator", {
        method: "post",
        path: `${base}/disconnect`,
        tags,
        summary: "Close an endpoint's session (the readings in hand are taken first) until connect",
        request: { body: endpointBody },
        responses: { 200: json(endpointSchema, "the endpoint, disconnected"), ...errorResponses(404, 409) },
      }),
      async (c) => c.json(await connector().disconnect(c.req.valid("json").endpoint), 200),
    );
    app.openapi(
      guarded(guard, "operator", {
        method: "post",
        path: `${base}/connect`,
        tags,
        summary: "Connect an endpoint again (after a disconnect, or a refusal since mended); answers after its first outcome",
        request: { body: endpointBody },
        responses: { 200: json(endpointSchema, "the endpoint's state after its first attempt"), ...errorResponses(404, 409) },
      }),
      async (c) => c.json(await connector().connect(c.req.valid("json").endpoint), 200),
    );
    app.openapi(
      guarded(guard, "admin", {
        method: "post",
        path: `${base}/endpoints`,
        tags,
        summary: "Add an endpoint (the shape of an opcua.endpoints entry: URL, security mode and policy, optional user and password, node mappings) and connect it",
        request: { body: jsonBody(opcUaEndpointSchema) },
        responses: { 201: json(endpointSchema, "the endpoint's state after its first attempt"), ...errorResponses(409) },
      }),
      async (c) => c.json(await connector().addEndpoint(c.req.valid("json")), 201),
    );
    app.openapi(
      guarded(guard, "admin", {
        method: "post",
        path: `${base}/subscriptions`,
        tags,
        summary: "Map more nodes of an endpoint to readings: monitored at once when connected, else on connecting",
        request: { body: subscribeBody },
        responses: { 201: json(endpointSchema, "the endpoint, with the server's verdict on each node (badNodes)"), ...errorResponses(404, 409) },
      }),
      async (c) => {
        const { endpoint, nodes } = c.req.valid("json");
        return c.json(await connector().subscribe(nodes, endpoint), 201);
      },
    );
    app.openapi(
      guarded(guard, "admin", {
        method: "delete",
        path: `${base}/subscriptions`,
        tags,
        summary: "Stop monitoring a mapped node of an endpoint",
        request: { query: z.object({ endpoint: endpointParam, nodeId: z.string().min(1).openapi({ example: "ns=1;s=UNIT001.pressure" }) }) },
        responses: { 200: json(endpointSchema, "the endpoint"), ...errorResponses(404, 409) },
      }),
      async (c) => {
        const { endpoint, nodeId } = c.req.valid("query");
        return c.json(await connector().unsubscribe(nodeId, endpoint), 200);
      },
    );
  };
}
