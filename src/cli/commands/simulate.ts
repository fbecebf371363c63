/**
 * `vigil simulate`: run the plant simulator on its own, as a field gateway
 * publishing over MQTT and/or NATS (to a Vigil node elsewhere, or anything
 * else listening), until SIGINT/SIGTERM. Its settings are the config's
 * `simulator` section, layered like every setting (defaults < --config file
 * < VIGIL_SIMULATOR_* < flags). Without a node there is no in-process
 * gateway to feed, so the "gateway" and "opcua" publishers are refused here.
 */
import { Option } from "commander";
import type { Command } from "commander";
import { startSimulator } from "../../actors/simulator/index.js";
import { loadConfig } from "../../config/index.js";
import type { ConfigPath, FlagValue, VigilConfig } from "../../config/index.js";
import { isVigilError } from "../../runtime/errors.js";
import { createLogger } from "../../runtime/log.js";
import { connectNatsTransport } from "../../runtime/transport/index.js";
import { EXIT_FAILURE, EXIT_USAGE, exitWith } from "../exit.js";
import { exitOnSignals } from "../shutdown.js";

const SETTING_FLAGS: readonly { readonly flags: string; readonly path: ConfigPath; readonly help: string }[] = [
  { flags: "--publish <list>", path: "simulator.publishers", help: "mqtt and/or nats, comma-separated" },
  { flags: "--mode <mode>", path: "simulator.mode", help: "plant | run-to-failure" },
  { flags: "--units <n>", path: "simulator.units", help: "number of units" },
  { flags: "--seed <n>", path: "simulator.seed", help: "the same seed gives the same readings" },
  { flags: "--interval-ms <ms>", path: "simulator.intervalMs", help: "every sensor reads once per interval" },
  { flags: "--mqtt-url <url>", path: "simulator.mqtt.url", help: "MQTT broker to publish to" },
  { flags: "--nats-servers <list>", path: "transport.nats.servers", help: "comma-separated NATS server URLs" },
  { flags: "--log-level <level>", path: "log.level", help: "fatal | error | warn | info | debug | trace | silent" },
];

/** Publishers that need a running node beside them. */
const NEEDS_A_NODE = new Set(["gateway", "opcua"]);

export function registerSimulate(program: Command): void {
  const command = program
    .command("simulate")
    .description("run the plant simulator on its own, publishing over MQTT and/or NATS until SIGINT or SIGTERM")
    .option("-c, --config <file>", "JSON config file (any subset of the settings)");
  const settingOptions = SETTING_FLAGS.map((f) => ({ option: new Option(f.flags, `${f.help} (${f.path})`), path: f.path }));
  for (const { option } of settingOptions) command.addOption(option);
  command.action(async (opts: Record<string, string | undefined>) => {
    const flags: FlagValue[] = [];
    for (const { option, path } of settingOptions) {
      const value = opts[option.attributeName()];
      if (value !== undefined) flags.push({ flag: option.long ?? option.flags, path, value });
    }
    await runSimulate(readConfig(opts["config"], flags));
  });
}

function readConfig(file: string | undefined, flags: readonly FlagValue[]): VigilConfig {
  try {
    return loadConfig({ file, env: process.env, flags });
  } catch (err) {
    if (isVigilError(err, "VIGIL_CONFIG_INVALID")) exitWith(EXIT_USAGE, err.message);
    throw err;
  }
}

async function runSimulate(config: VigilConfig): Promise<void> {
  const settings = config.simulator;
  const needNode = settings.publishers.filter((p) => NEEDS_A_NODE.has(p));
  if (needNode.length > 0) {
    const verb = needNode.length === 1 ? "needs" : "need";
    exitWith(EXIT_USAGE, `simulator.publishers: ${needNode.join(" and ")} ${verb} a running node (vigil start); choose --publish mqtt and/or nats`);
  }
  const logger = createLogger(config.log, { bindings: { part: "simulator" } });
  try {
    const transport = settings.publishers.includes("nats")
      ? await connectNatsTransport({ servers: config.transport.nats.servers, name: `${config.transport.nats.name}-simulator` })
      : undefined;
    const runner = await startSimulator(settings, { log: logger, ...(transport === undefined ? {} : { transport }) }).catch(async (err: unknown) => {
      await transport?.close();
      throw err;
    });
    exitOnSignals(async () => {
      await runner.close();
      await transport?.close();
    }, logger);
  } catch (err) {
    logger.fatal({ err }, "simulator failed to start");
    exitWith(EXIT_FAILURE, err instanceof Error ? err.message : String(err));
  }
}
