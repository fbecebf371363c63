/**
 * Connections area, OPC UA: each endpoint's connection state, and browsing
 * and reading a server's address space through the connector's session
 * ("what is on this PLC?", "what does this node read now?"). `endpoint`
 * names one of `opcua.endpoints` and may be left out when there is one.
 * A node without OPC UA endpoints answers 409 VIGIL_CONNECTOR_DISABLED.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { OpcUaConnector } from "../../actors/connectors/index.js";
import type { RouteModule } from "../api/app.js";
import { enabledPart } from "../api/disabled.js";
import { API_PREFIX } from "../api/env.js";
import { errorResponses, json } from "../api/responses.js";

export type OpcUaControl = Pick<OpcUaConnector, "status" | "browse" | "read">;

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

const endpointParam = z.string().min(1).optional().openapi({ description: "the endpoint's name; may be left out when one is configured" });

export function opcuaRoutes(opcua: OpcUaControl | undefined): RouteModule {
  const connector = enabledPart(opcua, "VIGIL_CONNECTOR_DISABLED", "OPC UA is off on this node (opcua.enabled is false or opcua.endpoints is empty)");
  const base = `${API_PREFIX}/connections/opcua`;
  const tags = ["connections"];
  return (app, guard) => {
    app.openapi(
      createRoute({
        method: "get",
        path: base,
        tags,
        summary: "Each OPC UA endpoint's connection state, monitored and refused nodes",
        middleware: guard("viewer"),
        responses: { 200: json(z.object({ endpoints: z.array(endpointSchema) }), "the endpoints"), ...errorResponses(401, 409) },
      }),
      (c) => c.json({ endpoints: connector().status() }, 200),
    );
    app.openapi(
      createRoute({
        method: "get",
        path: `${base}/browse`,
        tags,
        summary: "The children of a node (default: the Objects folder, i=85)",
        middleware: guard("viewer"),
        request: { query: z.object({ endpoint: endpointParam, nodeId: z.string().min(1).optional().openapi({ example: "ns=1;s=UNIT001" }) }) },
        responses: { 200: json(z.object({ nodeId: z.string(), children: z.array(browsedSchema) }), "the children"), ...errorResponses(400, 401, 404, 409, 502, 503) },
      }),
      async (c) => {
        const { endpoint, nodeId = "i=85" } = c.req.valid("query");
        return c.json({ nodeId, children: await connector().browse(nodeId, endpoint) }, 200);
      },
    );
    app.openapi(
      createRoute({
        method: "get",
        path: `${base}/read`,
        tags,
        summary: "A node's current value, straight from the server",
        middleware: guard("viewer"),
        request: { query: z.object({ endpoint: endpointParam, nodeId: z.string().min(1).openapi({ example: "ns=1;s=UNIT001.temperature" }) }) },
        responses: { 200: json(valueSchema, "the value"), ...errorResponses(400, 401, 404, 409, 502, 503) },
      }),
      async (c) => {
        const { endpoint, nodeId } = c.req.valid("query");
        const v = await connector().read(nodeId, endpoint);
        return c.json({ ...v, sourceTimestamp: v.sourceTimestamp }, 200);
      },
    );
  };
}
