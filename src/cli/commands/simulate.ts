/**
 * `vigil simulate`: run the plant simulator on its own, as a field gateway
 * publishing over MQTT and/or NATS and serving its values from an OPC UA
 * server (for a Vigil node elsewhere, or anything else listening), until
 * SIGINT/SIGTERM. Its settings are the config's `simulator` section (and
 * `opcua.server` for the server), layered like every setting (defaults <
 * --config file < VIGIL_* < flags). Without a node there is no in-process
 * gateway to feed, so the "gateway" publisher is refused here.
 */
import type { Command } from "commander";
import { startSimulator, type OpcUaValueSink } from "../../actors/simulator/index.js";
import { startPlantOpcUaServer } from "../../actors/simulator/opcua-start.js";
import type { VigilConfig } from "../../config/index.js";
import { createLogger } from "../../runtime/log.js";
import { connectNatsTransport } from "../../runtime/transport/index.js";
import { EXIT_FAILURE, EXIT_USAGE, exitWith } from "../exit.js";
import { exitOnSignals } from "../shutdown.js";
import { addSettingFlags, readConfigOrExit, type SettingFlag } from "../setting-flags.js";

export const SETTING_FLAGS: readonly SettingFlag[] = [
  { flags: "--publish <list>", path: "simulator.publishers", help: "mqtt, nats and/or opcua, comma-separated" },
  { flags: "--mode <mode>", path: "simulator.mode", help: "plant | run-to-failure" },
  { flags: "--units <n>", path: "simulator.units", help: "number of units" },
  { flags: "--seed <n>", path: "simulator.seed", help: "the same seed gives the same readings" },
  { flags: "--interval-ms <ms>", path: "simulator.intervalMs", help: "every sensor reads once per interval" },
  { flags: "--mqtt-url <url>", path: "simulator.mqtt.url", help: "MQTT broker to publish to" },
  { flags: "--nats-servers <list>", path: "transport.nats.servers", help: "comma-separated NATS server URLs" },
  { flags: "--opcua-port <port>", path: "opcua.server.port", help: "port of the OPC UA server; 0 picks a free one" },
  { flags: "--log-level <level>", path: "log.level", help: "fatal | error | warn | info | debug | trace | silent" },
];


export function registerSimulate(program: Command): void {
  const command = program
    .command("simulate")
    .description("run the plant simulator on its own (MQTT, NATS, OPC UA server) until SIGINT or SIGTERM")
    .option("-c, --config <file>", "JSON config file (any subset of the settings)");
  const flagsGiven = addSettingFlags(command, SETTING_FLAGS);
  command.action(async (opts: Record<string, string | undefined>) => {
    await runSimulate(readConfigOrExit(opts["config"], flagsGiven(opts)));
  });
}


async function runSimulate(config: VigilConfig): Promise<void> {
  const settings = config.simulator;
  if (settings.publishers.includes("gateway")) {
    exitWith(EXIT_USAGE, "simulator.publishers: gateway needs a running node (vigil start); choose --publish mqtt, nats and/or opcua");
  }
  const logger = createLogger(config.log, { bindings: { part: "simulator" } });
  // Closed in reverse order of opening, also when start-up fails half-way.
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async (): Promise<void> => {
    for (const close of closers.splice(0).reverse()) await close();
  };
  try {
    let transport;
    if (settings.publishers.includes("nats")) {
      const nats = await connectNatsTransport({ servers: config.transport.nats.servers, name: `${config.transport.nats.name}-simulator` });
      closers.push(() => nats.close());
      transport = nats;
    }
    let opcUaSink: OpcUaValueSink | undefined;
    if (settings.publishers.includes("opcua")) {
      const server = await startPlantOpcUaServer({ ...config.opcua.server, log: logger.child({ part: "simulator-opcua" }) });
      closers.push(() => server.stop());
      logger.info({ endpointUrl: server.endpointUrl }, "simulator OPC UA server listening");
      opcUaSink = server;
    }
    const runner = await startSimulator(settings, {
      log: logger,
      ...(transport === undefined ? {} : { transport }),
      ...(opcUaSink === undefined ? {} : { opcUaSink }),
    });
    closers.push(() => runner.close());
  } catch (err) {
    logger.fatal({ err }, "simulator failed to start");
    await closeAll().catch(() => undefined);
    exitWith(EXIT_FAILURE, err instanceof Error ? err.message : String(err));
  }
  exitOnSignals(closeAll, logger);
}
