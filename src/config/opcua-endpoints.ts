/**
 * OPC UA endpoints as configuration: where to connect, how to sign in, and
 * which node becomes which unit's sensor. A list of objects, so it is set in
 * the config file only (settings.ts leaves it out of VIGIL_* variables).
 *
 * The security lists mirror the connector's (src/actors/connectors/opcua/
 * options.ts); config may not import actors.
 */
import { z } from "zod";
import { durationMs, oneOf } from "./fields.js";

export const OPCUA_SECURITY_MODES = ["None", "Sign", "SignAndEncrypt"] as const;
/** No Basic128Rsa15 or Basic256: deprecated, and the first needs RSA PKCS#1 v1.5, which Node 20 has switched off. */
export const OPCUA_SECURITY_POLICIES = ["None", "Basic256Sha256", "Aes128_Sha256_RsaOaep", "Aes256_Sha256_RsaPss"] as const;

// The same rule as a reading's unit and sensor ids (src/actors/readings/reading.ts ID_PATTERN).
const ID = /^[A-Za-z0-9_-]{1,64}$/;
const ID_RULE = "letters, digits, '-' or '_' only, at most 64 characters";

// ns=<index>; or nsu=<uri>; then i=<number>, s=<string>, g=<guid> or b=<base64>. node-opcua parses it again at connect.
const NODE_ID = /^((ns=\d+|nsu=[^;]+);)?(i=\d+|s=.+|g=[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}|b=[A-Za-z0-9+/=]+)$/;

const opcTcpUrl = z.string({ error: "an OPC UA endpoint URL such as opc.tcp://host:4840" }).refine((s) => {
  try {
    const url = new URL(s);
    return url.protocol === "opc.tcp:" && url.hostname !== "";
  } catch {
    return false;
  }
}, { error: "an OPC UA endpoint URL such as opc.tcp://host:4840" });

/** One node and the reading it becomes (also what the control API's OPC UA subscribe takes). */
export const opcUaNodeMappingSchema = z.strictObject({
  nodeId: z.string({ error: "an OPC UA node id such as ns=1;s=UNIT001.temperature" }).regex(NODE_ID, {
    error: "an OPC UA node id such as ns=1;s=UNIT001.temperature or ns=3;i=1042",
  }),
  unit: z.string({ error: ID_RULE }).regex(ID, { error: ID_RULE }),
  sensor: z.string({ error: ID_RULE }).regex(ID, { error: ID_RULE }),
  /** reading = value * scale + offset */
  scale: z.number({ error: "a finite number" }).default(1),
  offset: z.number({ error: "a finite number" }).default(0),
});

export const opcUaEndpointSchema = z
  .strictObject({
    /** How the endpoint is named in status and logs; its URL when left out. */
    name: z.string({ error: "a non-empty string" }).min(1, { error: "a non-empty string" }).optional(),
    endpointUrl: opcTcpUrl,
    securityMode: oneOf(OPCUA_SECURITY_MODES).default("None"),
    securityPolicy: oneOf(OPCUA_SECURITY_POLICIES).default("None"),
    username: z.string({ error: "a non-empty string" }).min(1, { error: "a non-empty string" }).optional(),
    password: z.string({ error: "a string" }).optional(),
    publishingIntervalMs: durationMs(1).default(1000), // 1 second
    samplingIntervalMs: durationMs(0).default(500), // 0: as fast as the server can
    nodes: z.array(opcUaNodeMappingSchema, { error: "a list of node mappings {nodeId, unit, sensor, scale?, offset?}" }).min(1, {
      error: "at least one node mapping {nodeId, unit, sensor, scale?, offset?}",
    }),
  })
  .superRefine((e, ctx) => {
    if ((e.securityMode === "None") !== (e.securityPolicy === "None")) {
      ctx.addIssue({
        code: "custom",
        path: ["securityPolicy"],
        message: `"None" together with securityMode "None", and a real policy with "Sign" or "SignAndEncrypt" (securityMode is "${e.securityMode}")`,
      });
    }
    if (e.password !== undefined && e.username === undefined) {
      ctx.addIssue({ code: "custom", path: ["username"], message: "a username, since a password is set" });
    }
  });

export type OpcUaEndpointConfig = z.infer<typeof opcUaEndpointSchema>;
