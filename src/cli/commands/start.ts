/**
 * `vigil start`: load and validate the configuration, then run a node until
 * SIGINT/SIGTERM. A bad setting exits 2 with one message naming the field,
 * what it expects and where the value came from.
 */
import type { Command } from "commander";
import type { Registry } from "prom-client";
import { SETTINGS } from "../../config/index.js";
import type { FlagValue, VigilConfig } from "../../config/index.js";
import { startNode } from "../../node/start.js";
import { createLogger } from "../../runtime/log.js";
import type { Logger } from "../../runtime/log.js";
import { createRegistry, startMetricsServer } from "../../runtime/metrics.js";
import { EXIT_FAILURE, exitWith } from "../exit.js";
import { exitOnSignals } from "../shutdown.js";
import { addSettingFlags, readConfigOrExit, type SettingFlag } from "../setting-flags.js";

/** Flags that override one setting each. Values stay strings: config validation reads them. */
export const SETTING_FLAGS: readonly SettingFlag[] = [
  { flags: "--workers <n>", path: "runtime.workers", help: "shard worker threads" },
  { flags: "--transport <kind>", path: "transport.kind", help: "in-process | nats" },
  { flags: "--nats-servers <list>", path: "transport.nats.servers", help: "comma-separated NATS server URLs" },
  { flags: "--log-level <level>", path: "log.level", help: "fatal | error | warn | info | debug | trace | silent" },
  { flags: "--metrics-port <port>", path: "metrics.port", help: "port of /metrics and /healthz; 0 picks a free one" },
  { flags: "--http-host <host>", path: "http.host", help: "address of the API, feeds and dashboard (beyond loopback needs http.keys)" },
  { flags: "--http-port <port>", path: "http.port", help: "port of the API, feeds and dashboard; 0 picks a free one" },
];

export function registerStart(program: Command): void {
  const command = program
    .command("start")
    .description("start a Vigil node and run it until SIGINT or SIGTERM")
    .option("-c, --config <file>", "JSON config file (any subset of the settings)")
    .option("--cluster", "join the cluster on the NATS servers (cluster.enabled=true, transport.kind=nats)");
  const flagsGiven = addSettingFlags(command, SETTING_FLAGS);
  command.addHelpText("after", settingsHelp());
  command.action(async (opts: Record<string, string | undefined>) => {
    const cluster = opts["cluster"] === undefined ? [] : [
      { flag: "--cluster", path: "cluster.enabled", value: "true" },
      { flag: "--cluster", path: "transport.kind", value: "nats" },
    ] satisfies FlagValue[];
    await runStart(readConfigOrExit(opts["config"], [...cluster, ...flagsGiven(opts)]));
  });
}


async function runStart(config: VigilConfig): Promise<void> {
  const logger = createLogger(config.log, { bindings: { node: config.node.id } });
  const registry = createRegistry({ defaultLabels: { node: config.node.id } });
  // Closed in reverse order of opening. A signal during start-up waits for
  // start-up to finish, so nothing half-opened is left behind.
  const closers: (() => Promise<void>)[] = [];
  const started = openAll(config, logger, registry, closers);
  exitOnSignals(async () => {
    await started.catch(() => undefined);
    await closeAll(closers.reverse(), logger);
  }, logger);
  try {
    await started;
  } catch (err) {
    logger.fatal({ err }, "start failed");
    exitWith(EXIT_FAILURE, err instanceof Error ? err.message : String(err));
  }
}

async function openAll(config: VigilConfig, logger: Logger, registry: Registry, closers: (() => Promise<void>)[]): Promise<void> {
  if (config.metrics.enabled) {
    const metrics = await startMetricsServer({ host: config.metrics.host, port: config.metrics.port, registry });
    closers.push(() => metrics.close());
    logger.info({ url: metrics.url }, "metrics server listening");
  }
  const node = await startNode(config, { logger, registry });
  closers.push(() => node.stop());
}

async function closeAll(closers: readonly (() => Promise<void>)[], logger: Logger): Promise<void> {
  const errors: unknown[] = [];
  for (const close of closers) {
    try {
      await close();
    } catch (err) {
      // Keep closing the rest: one failing part must not keep the others open.
      logger.error({ err }, "error while stopping");
      errors.push(err);
    }
  }
  if (errors.length > 0) throw new AggregateError(errors, `${errors.length} part(s) failed to stop`);
  logger.info("stopped");
}

function settingsHelp(): string {
  const width = Math.max(...SETTINGS.map((s) => s.env.length));
  const lines = SETTINGS.map((s) => `  ${s.env.padEnd(width)}  ${s.path}`);
  return [
    "",
    "Settings come from, lowest precedence first: built-in defaults, the --config",
    "file (JSON), VIGIL_* environment variables, then the flags above. Lists are",
    "comma-separated in variables and flags.",
    "",
    "Environment variables:",
    ...lines,
  ].join("\n");
}
