/**
 * Where the harness finds each server's binary, and the step that provisions a
 * missing one (scripts/ensure-servers.sh: Debian packages, and Debian unstable's
 * nats-server unpacked into .cache/). Never the system's nats-server: Debian
 * bookworm's 2.9 lacks what the cluster code needs.
 */
import { spawn, execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

export type ServerKind = "nats" | "mosquitto" | "clickhouse";

const PROJECT_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const ENSURE_SCRIPT = `${PROJECT_ROOT}scripts/ensure-servers.sh`;

/** Oldest nats-server the project supports (priority groups, per-key TTLs). */
export const NATS_MIN_VERSION = [2, 11, 0] as const;

const BINARIES: Readonly<Record<ServerKind, string>> = {
  nats: `${PROJECT_ROOT}.cache/nats-server/usr/sbin/nats-server`,
  mosquitto: "/usr/sbin/mosquitto",
  clickhouse: "/usr/sbin/clickhouse-server",
};

/** Debian's chromium, which the dashboard's browser test drives through playwright-core. */
export const CHROMIUM = "/usr/bin/chromium";

/** Makes sure chromium is installed (scripts/ensure-servers.sh installs it when missing). */
export async function ensureChromium(): Promise<string> {
  if (!existsSync(CHROMIUM)) await runEnsureScript();
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is still missing after ${ENSURE_SCRIPT}`);
  return CHROMIUM;
}

/** The path of the binary the harness runs for this kind of server (it may not exist yet). */
export function serverBinary(kind: ServerKind): string {
  return BINARIES[kind];
}

let provisioning: Promise<void> | undefined;

/**
 * Runs scripts/ensure-servers.sh (idempotent; ~10 ms when all is present), at
 * most once per process at a time. Its progress goes to our stderr, because the
 * first run on a fresh machine installs packages and takes a while.
 */
export function runEnsureScript(): Promise<void> {
  provisioning ??= new Promise<void>((resolve, reject) => {
    const child = spawn("bash", [ENSURE_SCRIPT], { stdio: ["ignore", "ignore", "inherit"] });
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${ENSURE_SCRIPT} failed (${signal ?? `exit ${String(code)}`}); see its output above`));
    });
  }).finally(() => {
    provisioning = undefined; // a later call may retry, e.g. after a network hiccup
  });
  return provisioning;
}

const checked = new Map<ServerKind, Promise<void>>();

/**
 * Makes sure `serverBinary(kind)` exists (provisioning it if not) and, for NATS,
 * that it is new enough. Cached per kind, so starting servers stays cheap.
 */
export function ensureServerBinary(kind: ServerKind): Promise<void> {
  let done = checked.get(kind);
  if (done === undefined) {
    done = (async () => {
      if (!existsSync(BINARIES[kind])) await runEnsureScript();
      if (!existsSync(BINARIES[kind])) throw new Error(`${BINARIES[kind]} is still missing after ${ENSURE_SCRIPT}`);
      if (kind === "nats") await assertNatsVersion();
    })();
    done.catch(() => checked.delete(kind));
    checked.set(kind, done);
  }
  return done;
}

async function assertNatsVersion(): Promise<void> {
  const { stdout } = await promisify(execFile)(BINARIES.nats, ["--version"]);
  const match = /v?(\d+)\.(\d+)\.(\d+)/.exec(stdout);
  const version = match === null ? [] : match.slice(1, 4).map(Number);
  if (!isAtLeast(version, NATS_MIN_VERSION)) {
    throw new Error(
      `${BINARIES.nats} reports "${stdout.trim()}", need >= ${NATS_MIN_VERSION.join(".")}; ` +
        `delete .cache/nats-server and rerun ${ENSURE_SCRIPT}`,
    );
  }
}

function isAtLeast(version: readonly number[], minimum: readonly number[]): boolean {
  if (version.length !== minimum.length) return false;
  for (let i = 0; i < minimum.length; i++) {
    const have = version[i] ?? 0;
    const need = minimum[i] ?? 0;
    if (have !== need) return have > need;
  }
  return true;
}
