/**
 * Bench `ws`: WebSocket fan-out, in feed events delivered per second to
 * 1,000 and to 10,000 clients that each subscribe to everything, served by
 * the node's feeds on uWebSockets.js — against the same feed hub (same
 * filtering, same frames, same backpressure rules) on the `ws` package's
 * server, in the same run, as the baseline. The ratio is therefore the
 * socket server's difference, not the protocol's.
 *
 * The producer publishes processed readings of 100 units × 10 sensors
 * (realistic ~330-byte JSON) through the same PublicationFeed the node's
 * outlet tap feeds, `EVENTS_PER_TURN` per event-loop turn — the events of
 * one turn go out in one frame per client, as they would from a busy node.
 * It runs as fast as the clients take the events: at most a window of
 * events per client may be outstanding (sent, not yet counted by the
 * client), so neither side's buffers grow and no client falls behind into
 * conflation (the line says how many events were conflated: 0 expected).
 *
 * Clients run in `CLIENT_PROCESSES` child processes (bench/load/ws-clients.ts)
 * with the `ws` client: they compete with the server for the same cores, so
 * the figure is what one box does, clients included. 10,000 sockets need
 * 10,000 descriptors in the server process and in the clients' (each child
 * raises its soft limit to the hard one; the server's must already be high
 * enough: `ulimit -n 20000`). --quick measures 1,000 clients only (connecting
 * 10,000 twice takes most of a minute on a shared box).
 *
 * Besides the rate, `ws_fanout_server_cpu_ns_per_msg` is the server
 * process's CPU time (producer and feed included) per delivered event: on a
 * busy machine the rate follows the CPU share the processes get, this does not.
 * Its line also splits out the kernel's part (sending each client its copy)
 * and gives the client processes' CPU per event, the other half of the bill.
 */
import { spawn, type ChildProcessByStdio } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Readable, Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import { Registry } from "prom-client";
import { WebSocketServer } from "ws";
import { encodeProcessedReading } from "../src/actors/readings/index.js";
import { defaults } from "../src/config/index.js";
import { FeedHub, FeedMetrics, FeedState, PublicationFeed, registerFeeds, type FeedLimits } from "../src/http/feeds/index.js";
import { App, closeListenSocket, listenSocketPort, type us_listen_socket } from "../src/http/uws.js";
import { reportFigure } from "./report.js";
import type { SuiteOptions } from "./run.js";

const LOAD_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "load");
/** Connecting 10,000 sockets twice takes most of a minute on a shared box: --quick measures 1,000 only. */
const CLIENT_COUNTS = [1_000, 10_000];
const QUICK_CLIENT_COUNTS = [1_000];
const CLIENT_PROCESSES = 2;
const EVENTS_PER_TURN = 50;
const UNITS = 100;
const SENSORS = 10;
/** Outstanding events allowed across all clients (per client: this / clients, at most 1,000). */
const IN_FLIGHT_TOTAL = 2_000_000;
const silent = pino({ level: "silent" });
const { path: FEED_PATH, ...LIMITS } = defaults.feeds;

interface FeedServer {
  readonly url: string;
  readonly source: PublicationFeed;
  readonly registry: Registry;
  clientCount(): number;
  close(): Promise<void>;
}

async function uwsServer(): Promise<FeedServer> {
  const source = new PublicationFeed();
  const registry = new Registry();
  const app = App();
  const feeds = registerFeeds(app, { source, snapshot: new FeedState(source), authenticate: () => ({ id: "bench" }), logger: silent, registry, limits: LIMITS, path: FEED_PATH });
  const listen = await new Promise<us_listen_socket>((resolve, reject) => app.listen("127.0.0.1", 0, (s) => (s === false ? reject(new Error("uWS could not listen")) : resolve(s))));
  return {
    url: `ws://127.0.0.1:${listenSocketPort(listen)}${FEED_PATH}`,
    source,
    registry,
    clientCount: () => feeds.clientCount,
    close: () => {
      feeds.close();
      closeListenSocket(listen);
      return Promise.resolve();
    },
  };
}

async function wsServer(limits: FeedLimits): Promise<FeedServer> {
  const source = new PublicationFeed();
  const registry = new Registry();
  const hub = new FeedHub({ source, snapshot: new FeedState(source), limits, metrics: new FeedMetrics(registry), logger: silent });
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, path: FEED_PATH, perMessageDeflate: false, maxPayload: limits.maxPayloadBytes, backlog: 4096 });
  await new Promise<void>((resolve) => wss.once("listening", resolve));
  wss.on("connection", (ws) => {
    const connection = hub.open(
      {
        send: (frame) => {
          ws.send(frame, { binary: false });
          return true;
        },
        bufferedAmount: () => ws.bufferedAmount,
        end: (code, reason) => ws.close(code, reason),
        terminate: () => ws.terminate(),
      },
      { id: "bench" },
    );
    ws.on("message", (data: Buffer, isBinary) => hub.message(connection, isBinary ? "" : data.toString("utf8")));
    ws.on("close", () => hub.closed(connection));
  });
  const address = wss.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    url: `ws://127.0.0.1:${port}${FEED_PATH}`,
    source,
    registry,
    clientCount: () => hub.clientCount,
    close: () => {
      hub.close();
      return new Promise((resolve) => wss.close(() => resolve()));
    },
  };
}

interface ClientProcess {
  readonly child: ChildProcessByStdio<Writable, Readable, null>;
  received: number;
  readonly ready: Promise<void>;
}

function startClients(url: string, count: number): ClientProcess {
  const script = path.join(LOAD_DIR, "ws-clients.ts");
  // Through a shell only to raise the descriptor limit to the hard limit first.
  const child = spawn("/bin/sh", ["-c", `ulimit -n "$(ulimit -Hn)" && exec "$0" --import tsx "$@"`, process.execPath, script, url, String(count)], { stdio: ["pipe", "pipe", "inherit"] });
  let onReady: () => void = () => undefined;
  let onFail: (err: Error) => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    onReady = resolve;
    onFail = reject;
  });
  const proc: ClientProcess = { child, received: 0, ready };
  let rest = "";
  child.stdout.on("data", (d: Buffer) => {
    const lines = (rest + d.toString("utf8")).split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) {
      if (line === "ready") onReady();
      else if (line !== "") proc.received = Number(line);
    }
  });
  child.once("exit", (code) => onFail(new Error(`ws-clients exited with ${String(code)} before it was ready`)));
  return proc;
}

async function stopClients(procs: readonly ClientProcess[]): Promise<void> {
  await Promise.all(
    procs.map(
      (p) =>
        new Promise<void>((resolve) => {
          if (p.child.exitCode !== null) return resolve();
          p.child.once("exit", () => resolve());
          p.child.stdin.end();
        }),
    ),
  );
}

/** The descriptor limit of this process (the server's side of every socket). */
function openFilesLimit(): number {
  const line = readFileSync("/proc/self/limits", "utf8").split("\n").find((l) => l.startsWith("Max open files"));
  const soft = line?.split(/\s{2,}/)[1];
  return soft === undefined || soft === "unlimited" ? Number.POSITIVE_INFINITY : Number(soft);
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Measured {
  readonly eventsPerS: number;
  readonly conflated: number;
  readonly serverCpuS: number;
  /** The server process's share in the kernel (the sockets' sends): the rest is the hub and the producer. */
  readonly serverSystemS: number;
  readonly clientsCpuS: number;
  readonly delivered: number;
}

/** CPU seconds (user + system) a process has used, from /proc: the client processes are not this one's children in cpuUsage's sense. */
function processCpuS(pid: number | undefined): number {
  if (pid === undefined) return 0;
  // Fields after the command name: utime and stime are the 12th and 13th, in clock ticks (USER_HZ, 100 on Linux).
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function measure(server: FeedServer, clients: number, warmMs: number, windowMs: number): Promise<Measured> {
  const pool = readingPool();
  const procs = Array.from({ length: CLIENT_PROCESSES }, (_, i) => startClients(server.url, Math.floor(clients / CLIENT_PROCESSES) + (i < clients % CLIENT_PROCESSES ? 1 : 0)));
  try {
    await Promise.all(procs.map((p) => p.ready));
    if (server.clientCount() !== clients) throw new Error(`${server.clientCount()} clients connected, expected ${clients}`);
    const delivered = (): number => procs.reduce((sum, p) => sum + p.received, 0);
    const window = Math.min(1000, Math.floor(IN_FLIGHT_TOTAL / clients));
    let produced = 0;
    let producing = true;
    const producer = (async () => {
      let i = 0;
      while (producing) {
        const room = Math.floor((window * clients - (produced * clients - delivered())) / clients);
        const n = Math.min(EVENTS_PER_TURN, room);
        for (let k = 0; k < n; k++) {
          const [subject, json] = pool[i++ % pool.length] as [string, string];
          server.source.publication(subject, json);
        }
        produced += n;
        await (n > 0 ? turn() : sleep(1));
      }
    })();
    await sleep(warmMs);
    const clientsCpu = (): number => procs.reduce((sum, p) => sum + processCpuS(p.child.pid), 0);
    const clients1 = clientsCpu();
    const d1 = delivered();
    const cpu1 = process.cpuUsage();
    const t1 = performance.now();
    await sleep(windowMs);
    const d2 = delivered();
    const cpu = process.cpuUsage(cpu1);
    const t2 = performance.now();
    const clientsCpuS = clientsCpu() - clients1;
    producing = false;
    await producer;
    const conflated = (await server.registry.getSingleMetric("vigil_feed_events_conflated_total")?.get())?.values[0]?.value ?? 0;
    return { eventsPerS: Math.round(((d2 - d1) * 1000) / (t2 - t1)), conflated, serverCpuS: (cpu.user + cpu.system) / 1e6, serverSystemS: cpu.system / 1e6, clientsCpuS, delivered: d2 - d1 };
  } finally {
    await stopClients(procs);
    await server.close();
  }
}

/** Processed readings as the node publishes them, one per sensor of the plant, with the subject they go out on. */
function readingPool(): [string, string][] {
  const out: [string, string][] = [];
  const now = Date.now();
  for (let u = 0; u < UNITS; u++) {
    for (let s = 0; s < SENSORS; s++) {
      const unit = `UNIT${String(u).padStart(3, "0")}`;
      const sensor = `sensor_${s}`;
      const json = encodeProcessedReading({
        unit,
        sensor,
        ts: now,
        value: 42.125 + u + s / 10,
        quality: "GOOD",
        source: "simulator",
        anomaly: false,
        score: 0.031416,
        severity: null,
        category: null,
        method: "STATISTICAL",
        model_version: null,
        reasons: [],
        receivedAt: now,
        processedAt: now + 1,
      });
      out.push([`vigil.processed.${unit}.${sensor}`, json]);
    }
  }
  return out;
}

export async function run({ quick }: SuiteOptions): Promise<void> {
  const warmMs = quick ? 500 : 3_000;
  const windowMs = quick ? 2_000 : 10_000;
  const limit = openFilesLimit();
  for (const clients of quick ? QUICK_CLIENT_COUNTS : CLIENT_COUNTS) {
    if (limit < clients + 100) {
      process.stderr.write(`bench ws: skipping ${clients} clients: this process may open ${limit} files; raise it with \`ulimit -n ${clients + 1000}\`\n`);
      continue;
    }
    process.stderr.write(`bench ws: ${clients} clients on uWebSockets.js…\n`);
    const uws = await measure(await uwsServer(), clients, warmMs, windowMs);
    process.stderr.write(`bench ws: ${clients} clients on ws…\n`);
    const ws = await measure(await wsServer(LIMITS), clients, warmMs, windowMs);
    const conditions = { clients, client_processes: CLIENT_PROCESSES, events_per_frame: EVENTS_PER_TURN };
    reportFigure({
      suite: "ws",
      metric: "ws_fanout_msgs_per_s",
      value: uws.eventsPerS,
      unit: "1/s",
      conditions: {
        ...conditions,
        window_s: windowMs / 1000,
        server_cpu_s: Number(uws.serverCpuS.toFixed(2)),
        baseline_server_cpu_s: Number(ws.serverCpuS.toFixed(2)),
        conflated_events: uws.conflated + ws.conflated,
      },
      baseline: "ws",
      baseline_value: ws.eventsPerS,
    });
    // The server process's CPU per delivered event: on a busy box the rate follows the CPU share the process gets, this hardly moves.
    // Its kernel share (each client's copy of each frame through a loopback TCP send) and the clients' CPU per event go with it:
    // on an idle box, 2 cores / (server + clients per event) bounds the rate.
    const perMsg = (s: number, m: Measured): number => Math.round((s * 1e9) / Math.max(1, m.delivered));
    reportFigure({
      suite: "ws",
      metric: "ws_fanout_server_cpu_ns_per_msg",
      value: perMsg(uws.serverCpuS, uws),
      unit: "ns",
      conditions: {
        ...conditions,
        kernel_ns_per_msg: perMsg(uws.serverSystemS, uws),
        baseline_kernel_ns_per_msg: perMsg(ws.serverSystemS, ws),
        clients_cpu_ns_per_msg: perMsg(uws.clientsCpuS, uws),
        baseline_clients_cpu_ns_per_msg: perMsg(ws.clientsCpuS, ws),
      },
      baseline: "ws",
      baseline_value: perMsg(ws.serverCpuS, ws),
    });
  }
}
