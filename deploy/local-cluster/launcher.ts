/**
 * A Vigil cluster on this machine, on loopback: a three-server NATS cluster
 * with JetStream (free ports, temp dirs; the test harness's servers) and N
 * Vigil nodes, each a real `vigil start --cluster` process with its own
 * config file and log file. Used by the cluster tests and the `cluster`
 * bench; `main.ts` runs it from the command line.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startNatsCluster, type NatsCluster } from "../../test/harness/servers.js";
import { freePort } from "../../test/harness/probes.js";
import { hashApiKey } from "../../src/http/auth/keys.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const NODE_START_TIMEOUT_MS = 60_000;
/** The admin key of every node's control API and feeds (loopback only: not a secret). */
export const LOCAL_CLUSTER_API_KEY = "local-cluster-admin-key";

export interface LocalClusterOptions {
  /** Vigil nodes started at once. @default 3 */
  nodes?: number;
  /** NATS servers (3 keeps a quorum with one down). @default 3 */
  natsServers?: number;
  /** @default 64 */
  partitions?: number;
  /** Shard workers per node. @default 1 */
  workers?: number;
  /** Merged into every node's `cluster` section (lease and snapshot timings …). */
  cluster?: Record<string, unknown>;
  /** @default "info" */
  logLevel?: string;
  /** Node.js flags for the nodes' processes (e.g. `--cpu-prof`, which NODE_OPTIONS refuses). */
  nodeArgs?: string[];
  /** Config sections merged into every node's (e.g. `opcua` with endpoints); their keys win over the launcher's. */
  sections?: Record<string, Record<string, unknown>>;
}

export interface LogLine {
  readonly msg?: string;
  readonly [field: string]: unknown;
}

export interface LocalNode {
  readonly id: string;
  readonly pid: number;
  readonly logFile: string;
  /** The node's control API (`/api/v1/…`) and feeds (`ws…/ws`), with LOCAL_CLUSTER_API_KEY. */
  readonly httpUrl: string;
  readonly running: boolean;
  /** The node's log, one parsed JSON object per line. */
  log(): Promise<LogLine[]>;
  /** SIGKILL: a crash. */
  kill(): Promise<void>;
  /** SIGTERM: a graceful leave (partitions snapshotted and handed off). */
  stop(): Promise<void>;
}

export interface LocalCluster {
  readonly nats: NatsCluster;
  readonly nodes: LocalNode[];
  readonly dir: string;
  /**
   * Starts one more node (ids are node-1, node-2, …); resolves once it has
   * joined. `servers`: the NATS URLs it connects to instead of the servers'
   * own (e.g. proxies a test can cut). `sections`: config sections of its
   * own, each merged over the launcher's (e.g. `http`, `mqtt`).
   */
  addNode(servers?: string[], sections?: Record<string, Record<string, unknown>>): Promise<LocalNode>;
  stop(): Promise<void>;
}

export async function startLocalCluster(options: LocalClusterOptions = {}): Promise<LocalCluster> {
  const dir = await mkdtemp(join(tmpdir(), "vigil-cluster-"));
  const nats = await startNatsCluster(options.natsServers ?? 3);
  const nodes: LocalNode[] = [];
  let next = 1;
  const addNode = async (servers?: string[], sections?: Record<string, Record<string, unknown>>): Promise<LocalNode> => {
    const id = `node-${next++}`;
    const node = await startNode(id, dir, nats, servers ?? nats.urls, options, sections ?? {});
    nodes.push(node);
    return node;
  };
  const cluster: LocalCluster = {
    nats,
    nodes,
    dir,
    addNode,
    async stop() {
      await Promise.all(nodes.map((n) => n.stop()));
      await nats.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    for (let i = 0; i < (options.nodes ?? 3); i++) await addNode();
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

function nodeConfig(id: string, dir: string, servers: string[], options: LocalClusterOptions, replicas: number, sections: Record<string, Record<string, unknown>>, httpPort: number): unknown {
  const config: Record<string, Record<string, unknown>> = {
    node: { id },
    log: { level: options.logLevel ?? "info" },
    metrics: { enabled: false },
    runtime: { workers: options.workers ?? 1 },
    transport: { kind: "nats", nats: { servers } },
    cluster: { enabled: true, partitions: options.partitions ?? 64, replicas, ...options.cluster },
    simulator: { enabled: false },
    history: { enabled: false },
    opcua: { enabled: false },
    notify: { outboxDir: join(dir, id, "outbox") },
    http: { port: httpPort, keys: [{ id: "local-cluster-admin", role: "admin", sha256: hashApiKey(LOCAL_CLUSTER_API_KEY) }], devicesFile: join(dir, id, "devices.json") },
  };
  // Section by section: the launcher's keys, then the cluster-wide sections', then this node's.
  for (const extra of [options.sections ?? {}, sections]) for (const [name, section] of Object.entries(extra)) config[name] = { ...config[name], ...section };
  return config;
}

async function startNode(
  id: string,
  dir: string,
  nats: NatsCluster,
  servers: string[],
  options: LocalClusterOptions,
  sections: Record<string, Record<string, unknown>>,
): Promise<LocalNode> {
  const configFile = join(dir, `${id}.json`);
  const logFile = join(dir, `${id}.log`);
  const replicas = Math.min(3, nats.urls.length);
  const httpPort = await freePort();
  await writeFile(configFile, JSON.stringify(nodeConfig(id, dir, servers, options, replicas, sections, httpPort), null, 2));
  const out = createWriteStream(logFile);
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), "--import", "tsx", "src/cli/main.ts", "start", "--config", configFile], {
    cwd: ROOT,
    env: { ...process.env, VIGIL_LOG_PRETTY: "false" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let running = true;
  void exited.then(() => (running = false));
  const log = async (): Promise<LogLine[]> => parseLog(await readFile(logFile, "utf8").catch(() => ""));
  const node: LocalNode = {
    id,
    pid: child.pid ?? -1,
    logFile,
    httpUrl: `http://127.0.0.1:${httpPort}`,
    get running() {
      return running;
    },
    log,
    async kill() {
      if (running) child.kill("SIGKILL");
      await exited;
    },
    async stop() {
      if (running) child.kill("SIGTERM");
      await exited;
    },
  };
  const deadline = Date.now() + NODE_START_TIMEOUT_MS;
  for (;;) {
    if ((await log()).some((l) => l.msg === "node started")) return node;
    if (!running || Date.now() > deadline) {
      await node.kill();
      throw new Error(`${id} did not start (log: ${logFile}):\n${(await readFile(logFile, "utf8").catch(() => "")).slice(-2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function parseLog(text: string): LogLine[] {
  const lines: LogLine[] = [];
  for (const line of text.split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      lines.push(JSON.parse(line) as LogLine);
    } catch {
      // a line cut by a kill
    }
  }
  return lines;
}
