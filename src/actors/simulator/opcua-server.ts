/**
 * The simulator's OPC UA server: serves the simulated plant's values the way
 * a PLC would, one folder per unit with one Double variable per sensor and a
 * unit status string (see opcua-plant-nodes.ts for the layout). It
 * implements the simulator's OpcUaValueSink, so the runner can feed it like
 * any other publisher; tests start it to give the OPC UA connector a real
 * peer.
 *
 * Start-up cost: the server's certificate is created once in `pkiDir` and
 * reused (creating it takes about a second; a start with it takes a few
 * hundred milliseconds, mostly loading the standard nodeset). Port 0 takes a
 * free port; later restarts reuse that port, so clients reconnect to the same
 * URL.
 *
 * node-opcua is imported here, outside simulator/index.ts, so the simulator
 * stays free of it unless this server is wanted.
 */
import os from "node:os";
import { MessageSecurityMode, OPCUAServer, SecurityPolicy, type OPCUACertificateManager } from "node-opcua";
import { pino, type Logger } from "pino";
import { VigilError } from "../../runtime/index.js";
import type { ReadingQuality } from "../readings/index.js";
import { createCertificateManager } from "../connectors/opcua/certificates.js";
import { routeNodeOpcUaLogs } from "../connectors/opcua/node-opcua-log.js";
import type { OpcUaSecurityMode, OpcUaSecurityPolicy } from "../connectors/opcua/options.js";
import { PlantNodes } from "./opcua-plant-nodes.js";
import type { OpcUaValueSink } from "./publishers/value-sink.js";

export interface OpcUaUser {
  readonly username: string;
  readonly password: string;
}

export interface PlantOpcUaServerOptions {
  /** 0 takes a free port (kept across restarts). @default 0 */
  readonly port?: number;
  /** The interface to listen on. @default "127.0.0.1" */
  readonly host?: string;
  /** Where the server's certificate, key and trust lists live. @default ".cache/opcua/simulator-pki" */
  readonly pkiDir?: string;
  /** When given, sessions must sign in as one of these; anonymous sessions are refused. */
  readonly users?: readonly OpcUaUser[];
  /** @default ["None", "Sign", "SignAndEncrypt"] */
  readonly securityModes?: readonly OpcUaSecurityMode[];
  /** @default ["None", "Basic256Sha256", "Aes128_Sha256_RsaOaep", "Aes256_Sha256_RsaPss"] */
  readonly securityPolicies?: readonly OpcUaSecurityPolicy[];
  /** Units and their sensors to serve from the start; more with addUnit. */
  readonly units?: Readonly<Record<string, readonly string[]>>;
  readonly log?: Logger;
}

export const DEFAULT_SIMULATOR_PKI_DIR = ".cache/opcua/simulator-pki";
const ALL_MODES: readonly OpcUaSecurityMode[] = ["None", "Sign", "SignAndEncrypt"];
const ALL_POLICIES: readonly OpcUaSecurityPolicy[] = ["None", "Basic256Sha256", "Aes128_Sha256_RsaOaep", "Aes256_Sha256_RsaPss"];
const WILDCARD_HOSTS = new Set(["0.0.0.0", "::", ""]);

export class PlantOpcUaServer implements OpcUaValueSink {
  private readonly nodes = new PlantNodes();
  private readonly host: string;
  private port: number;
  private server: OPCUAServer | undefined;
  private certificates: OPCUACertificateManager[] = [];
  private readonly log: Logger;

  constructor(private readonly options: PlantOpcUaServerOptions = {}) {
    this.host = options.host ?? "127.0.0.1";
    this.port = options.port ?? 0;
    this.log = options.log ?? pino({ level: "silent" });
    routeNodeOpcUaLogs(this.log);
    for (const [unit, sensors] of Object.entries(options.units ?? {})) this.nodes.addUnit(unit, sensors);
  }

  /** e.g. `opc.tcp://127.0.0.1:40123`. Known once the server has started (or when a fixed port was given). */
  get endpointUrl(): string {
    if (this.port === 0) throw new VigilError("VIGIL_SIMULATOR_MISCONFIGURED", "the OPC UA server has no port yet: start it first");
    const host = WILDCARD_HOSTS.has(this.host) ? os.hostname() : this.host;
    return `opc.tcp://${host.includes(":") ? `[${host}]` : host}:${this.port}`;
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  async start(): Promise<void> {
    if (this.server !== undefined) return;
    const started = performance.now();
    const pkiDir = this.options.pkiDir ?? DEFAULT_SIMULATOR_PKI_DIR;
    // A simulator trusts every client: it stands in for a PLC on a test bench, not in a plant.
    const serverCertificateManager = createCertificateManager({ dir: `${pkiDir}/server`, acceptUnknown: true, setting: "opcua.server.pkiDir" });
    const userCertificateManager = createCertificateManager({ dir: `${pkiDir}/users`, acceptUnknown: true, setting: "opcua.server.pkiDir" });
    this.certificates = [serverCertificateManager, userCertificateManager];
    const users = this.options.users ?? [];
    const server = new OPCUAServer({
      port: this.port,
      host: this.host,
      hostname: WILDCARD_HOSTS.has(this.host) ? undefined : this.host,
      serverCertificateManager,
      userCertificateManager,
      securityModes: (this.options.securityModes ?? ALL_MODES).map((m) => MessageSecurityMode[m]),
      securityPolicies: (this.options.securityPolicies ?? ALL_POLICIES).map((p) => SecurityPolicy[p]),
      allowAnonymous: users.length === 0,
      userManager: { isValidUser: (username: string, password: string) => users.some((u) => u.username === username && u.password === password) },
      serverInfo: { applicationName: { text: "Vigil plant simulator", locale: "en" }, applicationUri: "urn:vigil:plant-simulator" },
      buildInfo: { productName: "Vigil plant simulator", manufacturerName: "Vigil" },
      isAuditing: false,
    });
    try {
      await server.initialize();
      const addressSpace = server.engine.addressSpace;
      if (addressSpace === null) throw new Error("node-opcua initialised no address space");
      this.nodes.attach(addressSpace.getOwnNamespace(), addressSpace.rootFolder.objects);
      await server.start();
    } catch (err) {
      this.nodes.detach();
      await server.shutdown(0).catch(() => undefined);
      await this.disposeCertificates();
      throw new VigilError("VIGIL_SIMULATOR_MISCONFIGURED", `the OPC UA server cannot start on ${this.host}:${this.port}: ${String(err)}`, { cause: err });
    }
    this.server = server;
    this.port = server.endpoints[0]?.port ?? this.port;
    const startMs = Math.round(performance.now() - started);
    this.log.info({ endpointUrl: this.endpointUrl, startMs }, "OPC UA simulator server listening");
  }

  /** Sessions open on the server now (who connects, and how many, is what a cluster's endpoint lease governs). */
  get currentSessions(): number {
    return this.server?.currentSessionCount ?? 0;
  }

  /** Stop serving; the units and their last values stay, for a later start(). */
  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    this.nodes.detach();
    // No grace period: the simulator plays a PLC that goes away, clients must cope.
    await server.shutdown(0);
    await this.disposeCertificates();
    this.log.info({ port: this.port }, "OPC UA simulator server stopped");
  }

  addUnit(unit: string, sensors: readonly string[]): void {
    this.nodes.addUnit(unit, sensors);
  }

  /**
   * Serve a new value of one sensor. `ts` (epoch ms) becomes the value's
   * source timestamp; the current time when left out.
   */
  setValue(unit: string, sensor: string, value: number, quality: ReadingQuality, ts: number = Date.now()): void {
    if (!this.nodes.setValue(unit, sensor, value, quality, ts)) {
      throw new VigilError("VIGIL_SIMULATOR_UNKNOWN_UNIT", `the OPC UA server has no sensor ${unit}/${sensor}; add it with addUnit`);
    }
  }

  /** Serve a unit's status, e.g. online, offline, maintenance. */
  setStatus(unit: string, status: string): void {
    if (!this.nodes.setStatus(unit, status)) {
      throw new VigilError("VIGIL_SIMULATOR_UNKNOWN_UNIT", `the OPC UA server has no unit ${unit}; add it with addUnit`);
    }
  }

  private async disposeCertificates(): Promise<void> {
    const managers = this.certificates;
    this.certificates = [];
    await Promise.all(managers.map((m) => m.dispose()));
  }
}
