/**
 * A started node (the real `startNode`, one shard worker, the simulator
 * feeding it) with a real webhook receiver for its alarm notifications:
 * the rig of the node-level alarm specs and of the alarms bench's latency.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Registry } from "prom-client";
import type { AlarmTransition } from "../../src/actors/alarm/index.js";
import { loadConfig } from "../../src/config/index.js";
import { startNode, type RunningNode } from "../../src/node/start.js";
import { silentLog } from "../fixtures/actor-system.js";
import { startReceiver, type Receiver } from "../notify/peers.js";

export const WEBHOOK_KEY = "alarm-node-test-key";

export interface AlarmNode {
  node: RunningNode;
  receiver: Receiver;
  registry: Registry;
  transitions: AlarmTransition[];
  /** Resolves once `cond` holds, checked on every transition and every 50 ms; rejects naming `what` after boundMs. */
  until(cond: () => boolean, what: string, boundMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startAlarmNode(env: Record<string, string> = {}, file: Record<string, unknown> = {}): Promise<AlarmNode> {
  const dir = await mkdtemp(path.join(tmpdir(), "vigil-alarm-node-"));
  const receiver = await startReceiver(WEBHOOK_KEY);
  const secrets = path.join(dir, "secrets.json");
  await writeFile(secrets, JSON.stringify({ WEBHOOK_KEY }));
  const configFile = path.join(dir, "vigil.json");
  await writeFile(
    configFile,
    JSON.stringify({
      // History in the rig's own dir: the default file is shared by every node started from this checkout.
      history: { embedded: { path: path.join(dir, "history.duckdb") }, writer: { spoolDir: path.join(dir, "spool") } },
      models: { registry: { fs: { root: path.join(dir, "models") } } },
      ...file,
      notify: {
        outboxDir: path.join(dir, "outbox"),
        secretsFile: secrets,
        notifiers: [{ type: "webhook", name: "ops", url: receiver.url, secret: "WEBHOOK_KEY" }],
        routes: [{ notifiers: ["ops"] }],
      },
    }),
  );
  const config = loadConfig({
    file: configFile,
    env: { VIGIL_RUNTIME_WORKERS: "1", VIGIL_METRICS_ENABLED: "false", VIGIL_HTTP_ENABLED: "false", VIGIL_SIMULATOR_SCENARIO_EVERY_MS: "0", ...env },
  });
  const registry = new Registry();
  const node = await startNode(config, { logger: silentLog, registry });
  const transitions: AlarmTransition[] = [];
  const waiters = new Set<() => void>();
  node.alarms.onTransition((t) => {
    transitions.push(t);
    for (const w of waiters) w();
  });
  return {
    node,
    receiver,
    registry,
    transitions,
    until: (cond, what, boundMs = 90_000) =>
      new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (!cond()) return;
          done();
          resolve();
        };
        const tick = setInterval(check, 50);
        const bound = setTimeout(() => {
          done();
          reject(new Error(`not within ${boundMs} ms: ${what}`));
        }, boundMs);
        const done = (): void => {
          clearInterval(tick);
          clearTimeout(bound);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
    async stop() {
      await node.stop();
      await receiver.down();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
