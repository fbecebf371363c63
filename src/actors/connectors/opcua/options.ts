/**
 * What the OPC UA connector is told: the endpoints to connect, how to sign
 * in, and which node becomes which unit's sensor. The same shape as the
 * `opcua` config section (src/config/opcua-endpoints.ts), so the composition
 * root can hand the validated section over as it is; the defaults below fill
 * what a caller leaves out.
 */
import type { Logger } from "pino";
import type { IngestGateway } from "../../ingest/index.js";

export const SECURITY_MODES = ["None", "Sign", "SignAndEncrypt"] as const;
export type OpcUaSecurityMode = (typeof SECURITY_MODES)[number];

/**
 * The policies Vigil speaks. Basic128Rsa15 and Basic256 are deprecated by the
 * OPC Foundation, and Basic128Rsa15 needs RSA PKCS#1 v1.5 decryption, which
 * Node 20 has switched off.
 */
export const SECURITY_POLICIES = ["None", "Basic256Sha256", "Aes128_Sha256_RsaOaep", "Aes256_Sha256_RsaPss"] as const;
export type OpcUaSecurityPolicy = (typeof SECURITY_POLICIES)[number];

/** One monitored node and the reading it becomes: `value * scale + offset`. */
export interface OpcUaNodeMapping {
  /** e.g. `ns=1;s=UNIT001.temperature` or `ns=3;i=1042` */
  readonly nodeId: string;
  readonly unit: string;
  readonly sensor: string;
  /** @default 1 */
  readonly scale?: number;
  /** @default 0 (e.g. scale 0.1 and offset -273.15 turn tenths of kelvin into °C) */
  readonly offset?: number;
}

export interface OpcUaEndpointOptions {
  /** How the endpoint is named in status, logs and the API. @default endpointUrl */
  readonly name?: string;
  /** e.g. `opc.tcp://plc-7.plant.local:4840` */
  readonly endpointUrl: string;
  /** @default "None" */
  readonly securityMode?: OpcUaSecurityMode;
  /** @default "None" */
  readonly securityPolicy?: OpcUaSecurityPolicy;
  /** Sign in as this user; anonymous when absent. Never logged. */
  readonly username?: string;
  /** Never logged. */
  readonly password?: string;
  readonly nodes: readonly OpcUaNodeMapping[];
  /** How often the server sends the changes it has sampled. @default 1000 (1 second) */
  readonly publishingIntervalMs?: number;
  /** How often the server samples each node; 0 is as fast as it can. @default 500 */
  readonly samplingIntervalMs?: number;
}

/** Delay between connection attempts: starts at minMs, doubles up to maxMs. */
export interface ReconnectOptions {
  readonly minMs: number;
  readonly maxMs: number;
}

/** The narrow part of the ingest gateway the connector uses. */
export type ReadingSink = Pick<IngestGateway, "submit" | "reject">;

export interface OpcUaConnectorOptions {
  readonly endpoints: readonly OpcUaEndpointOptions[];
  readonly gateway: ReadingSink;
  readonly log: Logger;
  /** The client's application name, shown in the servers' session lists. @default "Vigil" */
  readonly applicationName?: string;
  /**
   * The client's PKI folder: its own certificate and key (created on first
   * use, then reused), and the trusted and rejected server certificates.
   * @default ".cache/opcua/client-pki" (relative to the working directory)
   */
  readonly pkiDir?: string;
  /**
   * Trust a server certificate seen for the first time. When false, a
   * secured connection to an unknown server is refused and its certificate
   * lands in `<pkiDir>/rejected`, to be moved to `<pkiDir>/trusted/certs` by
   * an operator. @default false
   */
  readonly acceptUnknownServerCertificates?: boolean;
  /** @default { minMs: 1000, maxMs: 30000 } */
  readonly reconnect?: ReconnectOptions;
  /**
   * Readings per endpoint waiting for the system to take them. Beyond this,
   * new readings are rejected as `overloaded` (counted), never queued
   * without bound. @default 10000
   */
  readonly maxPendingReadings?: number;
  /** For the status timestamps. @default Date.now */
  readonly now?: () => number;
}

export const DEFAULT_PKI_DIR = ".cache/opcua/client-pki";
export const DEFAULT_APPLICATION_NAME = "Vigil";
export const DEFAULT_RECONNECT: ReconnectOptions = { minMs: 1000, maxMs: 30 * 1000 }; // 1 s, doubling to 30 s
export const DEFAULT_MAX_PENDING_READINGS = 10_000;
export const DEFAULT_PUBLISHING_INTERVAL_MS = 1000; // 1 second
export const DEFAULT_SAMPLING_INTERVAL_MS = 500; // twice per publishing interval

/** An endpoint with every default filled in. */
export interface FilledEndpointOptions {
  readonly name: string;
  readonly endpointUrl: string;
  readonly securityMode: OpcUaSecurityMode;
  readonly securityPolicy: OpcUaSecurityPolicy;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly nodes: readonly Required<OpcUaNodeMapping>[];
  readonly publishingIntervalMs: number;
  readonly samplingIntervalMs: number;
}

export function fillEndpoint(e: OpcUaEndpointOptions): FilledEndpointOptions {
  return {
    name: e.name ?? e.endpointUrl,
    endpointUrl: e.endpointUrl,
    securityMode: e.securityMode ?? "None",
    securityPolicy: e.securityPolicy ?? "None",
    username: e.username,
    password: e.password,
    nodes: e.nodes.map(fillNode),
    publishingIntervalMs: e.publishingIntervalMs ?? DEFAULT_PUBLISHING_INTERVAL_MS,
    samplingIntervalMs: e.samplingIntervalMs ?? DEFAULT_SAMPLING_INTERVAL_MS,
  };
}

export function fillNode(n: OpcUaNodeMapping): Required<OpcUaNodeMapping> {
  return { nodeId: n.nodeId, unit: n.unit, sensor: n.sensor, scale: n.scale ?? 1, offset: n.offset ?? 0 };
}
