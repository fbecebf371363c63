/**
 * Throwaway real servers for integration tests: NATS with JetStream, Mosquitto
 * and ClickHouse, each on free loopback ports with its own temp data dir, never
 * the default ports (the machine may run its own servers there).
 *
 * @example
 * ```ts
 * let nats: ServerHandle;
 * beforeAll(async () => { nats = await startNats(); });
 * afterAll(stopAllServers);
 * it("...", async () => { const nc = await connect({ servers: nats.url }); ... });
 * ```
 *
 * Each start resolves only once the server answers its protocol. Servers die
 * with the test process (even when it is killed) and data dirs are removed by
 * stopAllServers() or at process exit. Missing binaries are provisioned by
 * scripts/ensure-servers.sh on first use.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { clickhouseConfigXml, clickhouseUsersXml, mosquittoConf, type ClickHousePorts } from "./configs.js";
import { clickhouseAnswers, freePort, freePorts, LOOPBACK, mqttAnswers, natsAnswers } from "./probes.js";
import { launch, ManagedServer, type ServerHandle } from "./server-process.js";

export type { ServerKind } from "./binaries.js";
export { serverBinary } from "./binaries.js";
export type { ServerHandle } from "./server-process.js";
export { ServerStartError, stopAllServers } from "./server-process.js";
export { startNatsCluster } from "./nats-cluster.js";
export { startTcpProxy } from "./tcp-proxy.js";
export type { TcpProxy } from "./tcp-proxy.js";
export type { NatsCluster } from "./nats-cluster.js";

export interface NatsOptions {
  /** Run with JetStream, its store in the data dir. @default true */
  jetstream?: boolean;
  /** Extra nats-server command-line arguments, after the harness's own. */
  args?: string[];
  /** A nats-server config file's text (written to the data dir, passed with -c). The harness's host, port and store dir flags win over it. */
  configText?: string;
  /** The client port. @default a free one */
  port?: number;
}

const NATS_START_TIMEOUT_MS = 15_000;
const MOSQUITTO_START_TIMEOUT_MS = 15_000;
/** ClickHouse 18.16 answers within ~0.1 s here; the margin is for a loaded CI machine. */
const CLICKHOUSE_START_TIMEOUT_MS = 60_000;

export function startNats(options: NatsOptions = {}): Promise<ServerHandle> {
  const jetstream = options.jetstream ?? true;
  return launch("nats", async (dataDir) => {
    const port = options.port ?? (await freePort());
    const configFile = join(dataDir, "nats-server.conf");
    const args = [
      ...(options.configText !== undefined ? ["-c", configFile] : []),
      ...["-a", LOOPBACK, "-p", String(port)],
      // The pid file also puts the data dir on the command line, which tells whose process it is.
      ...["-P", join(dataDir, "nats-server.pid")],
      ...(jetstream ? ["-js", "-sd", dataDir] : []),
      ...(options.args ?? []),
    ];
    return new ManagedServer(
      {
        kind: "nats",
        port,
        url: `nats://${LOOPBACK}:${port}`,
        args,
        prepare: async () => {
          if (options.configText !== undefined) await writeFile(configFile, options.configText);
        },
        // nats-server enables JetStream and recovers its streams before it accepts clients.
        answers: () => natsAnswers(port),
        extraLogs: [],
        startTimeoutMs: NATS_START_TIMEOUT_MS,
      },
      dataDir,
    );
  });
}

export interface MosquittoOptions {
  /** Extra mosquitto.conf lines, e.g. `max_queued_messages 1000000` for benches. */
  extraConfig?: string[];
}

export function startMosquitto(options: MosquittoOptions = {}): Promise<ServerHandle> {
  return launch("mosquitto", async (dataDir) => {
    const port = await freePort();
    const configFile = join(dataDir, "mosquitto.conf");
    return new ManagedServer(
      {
        kind: "mosquitto",
        port,
        url: `mqtt://${LOOPBACK}:${port}`,
        args: ["-c", configFile],
        prepare: () => writeFile(configFile, mosquittoConf(dataDir, port, options.extraConfig)),
        answers: () => mqttAnswers(port),
        extraLogs: [],
        startTimeoutMs: MOSQUITTO_START_TIMEOUT_MS,
      },
      dataDir,
    );
  });
}

/** A ClickHouse handle also knows its native-protocol (TCP) port; `port` is the HTTP one. */
class ClickHouseServer extends ManagedServer {
  readonly nativePort: number;

  constructor(dataDir: string, ports: ClickHousePorts) {
    const configFile = join(dataDir, "config.xml");
    super(
      {
        kind: "clickhouse",
        port: ports.http,
        url: `http://${LOOPBACK}:${ports.http}`,
        args: [`--config-file=${configFile}`],
        prepare: async () => {
          await writeFile(configFile, clickhouseConfigXml(dataDir, ports));
          await writeFile(join(dataDir, "users.xml"), clickhouseUsersXml());
        },
        answers: () => clickhouseAnswers(ports.http),
        // ClickHouse's own logger writes here rather than to the captured output.
        extraLogs: ["clickhouse-server.err.log"],
        startTimeoutMs: CLICKHOUSE_START_TIMEOUT_MS,
      },
      dataDir,
    );
    this.nativePort = ports.native;
  }
}

export function startClickHouse(): Promise<ServerHandle & { readonly nativePort: number }> {
  return launch("clickhouse", async (dataDir) => {
    const [http, native, interserver] = await freePorts(3);
    if (http === undefined || native === undefined || interserver === undefined) {
      throw new Error("freePorts(3) returned fewer than 3 ports");
    }
    return new ClickHouseServer(dataDir, { http, native, interserver });
  });
}
