/**
 * A real node for the API tests: one shard worker, the in-process
 * transport, history in a temp dir, the HTTP server on a free loopback port,
 * and one API key per role (made the way `vigil api-key` makes them).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRegistry } from "../../src/runtime/metrics.js";
import { loadConfig, type VigilConfig } from "../../src/config/index.js";
import { generateApiKey, hashApiKey, type Role } from "../../src/http/index.js";
import { startNode, type RunningNode } from "../../src/node/start.js";
import { silentLog } from "../fixtures/actor-system.js";

export interface ApiRig {
  readonly node: RunningNode;
  readonly url: string;
  readonly keys: Readonly<Record<Role, string>>;
  /** fetch on the node's server, with the key of `as` (none when undefined). */
  call(path: string, init?: RequestInit & { as?: Role | undefined; json?: unknown }): Promise<Response>;
  stop(): Promise<void>;
}

export interface ApiRigOptions {
  readonly env?: Record<string, string>;
  /** Changes to the `http` section after loading (keys are added unless `keys` is given). */
  readonly http?: Partial<VigilConfig["http"]>;
  /** Sections set only in a config file (e.g. opcua.endpoints): the loaded config with the changes made. */
  readonly config?: (loaded: VigilConfig) => VigilConfig;
}

export async function startApiRig(options: ApiRigOptions = {}): Promise<ApiRig> {
  const dir = mkdtempSync(join(tmpdir(), "vigil-http-"));
  const keys = { viewer: generateApiKey(), operator: generateApiKey(), admin: generateApiKey() };
  const loaded = loadConfig({
    env: {
      VIGIL_RUNTIME_WORKERS: "1",
      VIGIL_METRICS_ENABLED: "false",
      VIGIL_SIMULATOR_ENABLED: "false",
      VIGIL_HTTP_PORT: "0",
      VIGIL_HISTORY_EMBEDDED_PATH: join(dir, "vigil.duckdb"),
      VIGIL_HISTORY_WRITER_SPOOL_DIR: join(dir, "spool"),
      VIGIL_NOTIFY_OUTBOX_DIR: join(dir, "outbox"),
      VIGIL_HTTP_DEVICES_FILE: join(dir, "devices.json"),
      // Each rig its own model registry: the default (.cache/models) is one node's.
      VIGIL_MODELS_REGISTRY_FS_ROOT: join(dir, "models"),
      ...options.env,
    },
  });
  const config: VigilConfig = {
    ...(options.config?.(loaded) ?? loaded),
    http: {
      ...loaded.http,
      keys: (["viewer", "operator", "admin"] as const).map((role) => ({ id: `${role}-key`, role, sha256: hashApiKey(keys[role]) })),
      ...options.http,
    },
  };
  let node: RunningNode;
  try {
    node = await startNode(config, { logger: silentLog, registry: createRegistry() });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const url = node.http!.url;
  return {
    node,
    url,
    keys,
    call(path, init = {}) {
      const { as, json, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (as !== undefined) headers.set("x-api-key", keys[as]);
      if (json !== undefined) headers.set("content-type", "application/json");
      return fetch(url + path, { ...rest, headers, ...(json === undefined ? {} : { body: JSON.stringify(json) }) });
    },
    async stop() {
      await node.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The error code of a JSON error answer. */
export async function codeOf(res: Response): Promise<string | undefined> {
  const body = (await res.json()) as { error?: { code?: string } };
  return body.error?.code;
}
