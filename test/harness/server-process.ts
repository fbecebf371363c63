/**
 * One throwaway server process: spawn it with its output in a log file in its
 * data dir, wait until it answers, stop or kill it, start it again on the same
 * port and data dir. A per-process registry makes sure no server outlives the
 * test process and that data dirs are removed at the end.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, openSync, closeSync, rmSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureServerBinary, serverBinary, type ServerKind } from "./binaries.js";
import { LOOPBACK } from "./probes.js";

export interface ServerHandle {
  readonly kind: ServerKind;
  /** Always "127.0.0.1". */
  readonly host: string;
  /** The client port: NATS client, MQTT, or ClickHouse HTTP. Never changes. */
  readonly port: number;
  /** nats://127.0.0.1:p | mqtt://127.0.0.1:p | http://127.0.0.1:p */
  readonly url: string;
  readonly dataDir: string;
  /** Whether the server process is alive. */
  readonly running: boolean;
  /** (Re)starts on the same port and data dir; resolves when the server answers. */
  start(): Promise<void>;
  /** SIGTERM, then SIGKILL after a grace period; resolves when the process has exited. */
  stop(): Promise<void>;
  /** SIGKILL (a crash, for fault tests); resolves when the process has exited. */
  kill(): Promise<void>;
  /** stop() then start(). */
  restart(): Promise<void>;
}

/** What differs between kinds of server; the lifecycle is the same for all. */
export interface ServerRecipe {
  readonly kind: ServerKind;
  readonly port: number;
  readonly url: string;
  /** Command-line arguments for `serverBinary(kind)`. */
  readonly args: readonly string[];
  /** Writes the config files; runs before every start so a removed data dir is rebuilt. */
  prepare(dataDir: string): Promise<void>;
  /** One readiness probe: does the server answer its protocol yet? */
  answers(): Promise<boolean>;
  /** Log files (relative to the data dir) besides the captured output that explain a failed start. */
  readonly extraLogs: readonly string[];
  readonly startTimeoutMs: number;
}

/** Captured stdout and stderr of the server, in its data dir. */
const OUTPUT_LOG = "server.log";
/** How long stop() waits after SIGTERM before SIGKILL. ClickHouse 18.16 takes ~2 s to stop. */
const STOP_GRACE_MS = 15_000;
const PROBE_INTERVAL_MS = 50;
const LOG_TAIL_LINES = 30;
const DATA_DIR_PREFIX = "vigil-";
const REGISTRY_KEY = Symbol.for("vigil.test.harness.servers");

/** PR_SET_PDEATHSIG via util-linux: the kernel kills the server if its parent dies, even by SIGKILL. */
const SETPRIV = "/usr/bin/setpriv";

export class ServerStartError extends Error {
  readonly code = "HARNESS_SERVER_START_FAILED";
  override readonly name = "ServerStartError";
  constructor(
    readonly kind: ServerKind,
    readonly reason: string,
    readonly logTail: string,
  ) {
    super(`${kind} did not start: ${reason}\n--- log tail ---\n${logTail}`);
  }

  /** Another process took one of our ports between picking and binding it. */
  get portTaken(): boolean {
    return /address already in use/i.test(this.logTail);
  }
}

export class ManagedServer implements ServerHandle {
  readonly kind: ServerKind;
  readonly host = LOOPBACK;
  readonly port: number;
  readonly url: string;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  /** Lifecycle calls run one after another, so kill() during start() cannot interleave. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly recipe: ServerRecipe,
    readonly dataDir: string,
  ) {
    this.kind = recipe.kind;
    this.port = recipe.port;
    this.url = recipe.url;
    registry().add(this);
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  start(): Promise<void> {
    return this.serialise(() => this.doStart());
  }

  stop(): Promise<void> {
    return this.serialise(() => this.doStop());
  }

  kill(): Promise<void> {
    return this.serialise(() => this.signalAndWait("SIGKILL"));
  }

  restart(): Promise<void> {
    return this.serialise(async () => {
      await this.doStop();
      await this.doStart();
    });
  }

  /** Final stop: the process is gone, the data dir removed, the handle forgotten. */
  dispose(): Promise<void> {
    return this.serialise(async () => {
      await this.doStop();
      await rm(this.dataDir, { recursive: true, force: true });
      registry().delete(this);
    });
  }

  /** Synchronous last resort for process exit: SIGKILL and remove the data dir. */
  disposeNow(): void {
    this.child?.kill("SIGKILL");
    try {
      rmSync(this.dataDir, { recursive: true, force: true });
    } catch {
      // a dying server may still be writing; the next run's sweep removes it
    }
  }

  private serialise(operation: () => Promise<void>): Promise<void> {
    const result = this.queue.then(operation);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async doStart(): Promise<void> {
    if (this.child !== undefined) return;
    registry().add(this); // again, in case stopAllServers() disposed of this handle before
    await ensureServerBinary(this.kind);
    await mkdir(this.dataDir, { recursive: true });
    await this.recipe.prepare(this.dataDir);

    const binary = serverBinary(this.kind);
    const [command, args] = existsSync(SETPRIV)
      ? [SETPRIV, ["--pdeathsig", "KILL", "--", binary, ...this.recipe.args]]
      : [binary, [...this.recipe.args]];
    const output = openSync(join(this.dataDir, OUTPUT_LOG), "a");
    let child: ChildProcess;
    try {
      child = spawn(command, args, { stdio: ["ignore", output, output], cwd: this.dataDir });
    } finally {
      closeSync(output); // the child has its own copy
    }
    this.child = child;
    let spawnError: Error | undefined;
    this.exited = new Promise<void>((resolve) => {
      child.once("error", (error) => {
        spawnError = error; // e.g. ENOENT; "exit" may never come
        if (this.child === child) this.child = undefined;
        resolve();
      });
      child.once("exit", () => {
        if (this.child === child) this.child = undefined;
        resolve();
      });
    });

    const deadline = Date.now() + this.recipe.startTimeoutMs;
    for (;;) {
      if (this.child !== child) {
        const why = spawnError?.message ?? `exited with ${describeExit(child)} before answering`;
        throw new ServerStartError(this.kind, why, await this.logTail());
      }
      // A server that lost its port to another process exits, and the answer came
      // from that other process; checking the child again narrows (cannot close) that race.
      if ((await this.recipe.answers()) && this.child === child) return;
      if (Date.now() > deadline) {
        await this.signalAndWait("SIGKILL");
        const why = `no answer on ${this.url} within ${this.recipe.startTimeoutMs} ms`;
        throw new ServerStartError(this.kind, why, await this.logTail());
      }
      await sleep(PROBE_INTERVAL_MS);
    }
  }

  private async doStop(): Promise<void> {
    const child = this.child;
    if (child === undefined) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
  }

  private async signalAndWait(signal: NodeJS.Signals): Promise<void> {
    this.child?.kill(signal);
    await this.exited;
  }

  private async logTail(): Promise<string> {
    const parts: string[] = [];
    for (const name of [OUTPUT_LOG, ...this.recipe.extraLogs]) {
      const text = await readFile(join(this.dataDir, name), "utf8").catch(() => undefined);
      if (text === undefined || text.trim() === "") continue;
      const lines = text.trimEnd().split("\n").slice(-LOG_TAIL_LINES);
      parts.push(`[${name}]`, ...lines);
    }
    return parts.length > 0 ? parts.join("\n") : "(no output)";
  }
}

function describeExit(child: ChildProcess): string {
  return child.signalCode !== null ? `signal ${child.signalCode}` : `code ${String(child.exitCode)}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Creates a data dir, builds a server with `create` and starts it. When another
 * process grabbed one of the freshly picked ports first, tries again with new
 * ports and a new dir (a real race on a busy CI machine, if a rare one).
 */
export async function launch<S extends ManagedServer>(
  kind: ServerKind,
  create: (dataDir: string) => Promise<S>,
): Promise<S> {
  const maxAttempts = 3;
  for (let attempt = 1; ; attempt++) {
    const server = await create(await makeDataDir(kind));
    try {
      await server.start();
      return server;
    } catch (error) {
      await server.dispose();
      if (attempt >= maxAttempts || !(error instanceof ServerStartError && error.portTaken)) throw error;
    }
  }
}

/** Stops every server this process started and removes their data dirs. */
export async function stopAllServers(): Promise<void> {
  await Promise.all([...registry()].map((server) => server.dispose()));
}

/**
 * Data dirs are named vigil-<kind>-<pid>-XXXXXX, so a later run can tell the
 * dirs of a test process that died without cleaning up (SIGKILL, crash).
 */
async function makeDataDir(kind: ServerKind): Promise<string> {
  await sweepOrphans();
  return mkdtemp(join(tmpdir(), `${DATA_DIR_PREFIX}${kind}-${process.pid}-`));
}

let swept: Promise<void> | undefined;

function sweepOrphans(): Promise<void> {
  swept ??= (async () => {
    const names = await readdir(tmpdir()).catch(() => [] as string[]);
    const orphan = /^vigil-(?:nats|mosquitto|clickhouse)-(\d+)-/;
    await Promise.all(
      names.map(async (name) => {
        const pid = Number(orphan.exec(name)?.[1] ?? NaN);
        if (Number.isInteger(pid) && !isAlive(pid)) {
          await rm(join(tmpdir(), name), { recursive: true, force: true }).catch(() => undefined);
        }
      }),
    );
  })();
  return swept;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"; // alive, someone else's
  }
}

/**
 * One registry per process even if the module is loaded more than once (test
 * isolation may re-import it), with one exit hook that kills what is left.
 */
function registry(): Set<ManagedServer> {
  const holder = globalThis as unknown as Record<symbol, Set<ManagedServer> | undefined>;
  const existing = holder[REGISTRY_KEY];
  if (existing !== undefined) return existing;
  const servers = new Set<ManagedServer>();
  holder[REGISTRY_KEY] = servers;
  process.once("exit", () => {
    for (const server of servers) server.disposeNow();
  });
  return servers;
}
