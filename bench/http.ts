/**
 * Bench `http`: control API requests/s on a read route, GET /api/v1/units
 * with a viewer key (authentication, rate limiter, routing, the live state's
 * five units as ~3.3 KB of JSON), served by the node's server (uWebSockets.js and the
 * fetch adapter, src/http/server) — against the same Hono app on
 * @hono/node-server, in the same run, as the baseline. The ratio is
 * therefore the server's difference, not the app's.
 *
 * Each server runs in its own process (bench/load/http-server.ts), and so
 * does the load generator, autocannon's CLI (`CONNECTIONS` keep-alive
 * connections, no pipelining, a warm-up run first). Server and generator
 * compete for the same 2 cores: the rate is what one box does with its
 * client on board, and it moves with the machine's load.
 * `http_server_cpu_us_per_req`, the server process's CPU time per answered
 * request, hardly does.
 */
import { spawn, type ChildProcessByStdio } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { createInterface, type Interface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { reportFigure } from "./report.js";
import type { SuiteOptions } from "./run.js";

const SUITE = "http";
const ROUTE = "/api/v1/units";
const CONNECTIONS = 100;
const SERVER_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), "load", "http-server.ts");
const AUTOCANNON = createRequire(import.meta.url).resolve("autocannon/autocannon.js");

type ServerKind = "vigil" | "hono-node";

interface ServerProcess {
  readonly url: string;
  readonly key: string;
  /** The server process's CPU time so far, in µs. */
  cpuUs(): Promise<number>;
  stop(): Promise<void>;
}

async function startServer(kind: ServerKind): Promise<ServerProcess> {
  const child: ChildProcessByStdio<Writable, Readable, null> = spawn(process.execPath, ["--import", "tsx", SERVER_SCRIPT, kind], { stdio: ["pipe", "pipe", "inherit"] });
  const lines: Interface = createInterface({ input: child.stdout });
  const waiting: ((line: string) => void)[] = [];
  const exited = new Promise<never>((_, reject) => child.once("exit", (code) => reject(new Error(`the ${kind} server exited with ${String(code)}`))));
  exited.catch(() => undefined); // observed through nextLine; a stopped server exits too
  lines.on("line", (line) => waiting.shift()?.(line));
  const nextLine = (): Promise<string> => Promise.race([new Promise<string>((resolve) => waiting.push(resolve)), exited]);

  const { url, key } = JSON.parse(await nextLine()) as { url: string; key: string };
  return {
    url,
    key,
    async cpuUs() {
      const answer = nextLine();
      child.stdin.write("cpu\n");
      return Number((await answer).slice("cpu ".length));
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.stdin.end();
      }),
  };
}

/** What autocannon's --json prints, the fields used here. */
interface CannonResult {
  readonly requests: { readonly total: number };
  readonly latency: { readonly p99: number; readonly p50: number };
  readonly duration: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
}

/** One autocannon run in its own process, for `seconds`. */
function cannon(server: ServerProcess, seconds: number): Promise<CannonResult> {
  const args = [AUTOCANNON, "--json", "--no-progress", "-c", String(CONNECTIONS), "-d", String(seconds), "-H", `x-api-key=${server.key}`, server.url + ROUTE];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString("utf8")));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited with ${String(code)}`));
      const result = JSON.parse(out) as CannonResult;
      // Every answer must be the route's 200: a refused or failed request is not a request served.
      if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
        return reject(new Error(`autocannon saw ${result.non2xx} non-2xx answers, ${result.errors} errors, ${result.timeouts} timeouts`));
      }
      resolve(result);
    });
  });
}

interface Measured {
  readonly reqPerS: number;
  readonly p99Ms: number;
  readonly p50Ms: number;
  readonly cpuUsPerReq: number;
}

async function measure(kind: ServerKind, warmS: number, seconds: number): Promise<Measured> {
  process.stderr.write(`bench http: ${kind}…\n`);
  const server = await startServer(kind);
  try {
    await cannon(server, warmS);
    const cpu0 = await server.cpuUs();
    const r = await cannon(server, seconds);
    const cpu = (await server.cpuUs()) - cpu0;
    return { reqPerS: Math.round(r.requests.total / r.duration), p99Ms: r.latency.p99, p50Ms: r.latency.p50, cpuUsPerReq: Number((cpu / r.requests.total).toFixed(1)) };
  } finally {
    await server.stop();
  }
}

export async function run({ quick }: SuiteOptions): Promise<void> {
  const warmS = quick ? 1 : 3;
  const seconds = quick ? 5 : 20;
  const vigil = await measure("vigil", warmS, seconds);
  const hono = await measure("hono-node", warmS, seconds);
  const conditions = { route: `GET ${ROUTE}`, connections: CONNECTIONS, duration_s: seconds, load_generator: "autocannon, own process, same cores" };
  const baseline = "@hono/node-server";
  reportFigure({ suite: SUITE, metric: "http_req_per_s", value: vigil.reqPerS, unit: "1/s", conditions, baseline, baseline_value: hono.reqPerS });
  reportFigure({ suite: SUITE, metric: "http_p99_latency_ms", value: vigil.p99Ms, unit: "ms", conditions: { ...conditions, p50_ms: vigil.p50Ms, baseline_p50_ms: hono.p50Ms }, baseline, baseline_value: hono.p99Ms });
  // CPU per request of the server process alone: on a busy box the rate follows the CPU share the processes get, this hardly moves.
  reportFigure({ suite: SUITE, metric: "http_server_cpu_us_per_req", value: vigil.cpuUsPerReq, unit: "us", conditions, baseline, baseline_value: hono.cpuUsPerReq });
}
