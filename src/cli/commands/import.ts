/**
 * `vigil import <files...>`: CSV history into the history store and, with
 * --output-dir, processed CSVs with engineered features (src/store/import).
 * The store is the config's `history` section, layered like every setting
 * (defaults < --config file < VIGIL_HISTORY_* < flags).
 *
 * Exit codes: 0 every file imported (rows removed by the checks are a normal
 * outcome, reported in the summary); 1 some file could not be read,
 * understood or stored, or the store could not be opened; 2 a usage or
 * config error.
 */
import type { Command } from "commander";
import type { VigilConfig } from "../../config/index.js";
import { createLogger } from "../../runtime/log.js";
import { openHistoryStore, type HistoryStore } from "../../store/index.js";
import { formatSummary, IMPORT_FORMATS, importOptionsSchema, runImport, type ImportOptions } from "../../store/import/index.js";
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, exitWith } from "../exit.js";
import { terminalProgress } from "../import-progress.js";
import { addSettingFlags, readConfigOrExit, type SettingFlag } from "../setting-flags.js";

export const SETTING_FLAGS: readonly SettingFlag[] = [
  { flags: "--clickhouse-url <url>", path: "history.clickhouse.url", help: "ClickHouse HTTP URL; empty: the embedded store" },
  { flags: "--clickhouse-database <name>", path: "history.clickhouse.database", help: "ClickHouse database" },
  { flags: "--embedded-path <file>", path: "history.embedded.path", help: "file of the embedded store (without ClickHouse)" },
  { flags: "--log-level <level>", path: "log.level", help: "fatal | error | warn | info | debug | trace | silent" },
];

/** Which flag each option comes from, for error messages. */
const FLAG_OF: Record<string, string> = {
  files: "<files...>",
  format: "--format",
  unit: "--unit",
  capacityKw: "--capacity",
  outputDir: "--output-dir",
  workers: "--workers",
};

export function registerImport(program: Command): void {
  const command = program
    .command("import")
    .description("import CSV history (NSRDB solar, meter, weather, long format) into the history store")
    .argument("<files...>", "CSV files")
    .option("--format <format>", `${IMPORT_FORMATS.join(" | ")} | auto (by the header)`, "auto")
    .option("--unit <id>", "unit id of every row of a wide file (default: the file's unit column, else its name)")
    .option("--output-dir <dir>", "write {source}_processed_{timestamp}_{name}.csv with engineered features here")
    .option("--workers <n>", "files processed in parallel (piscina worker threads)", "1")
    .option("--capacity <kW>", "rated capacity in kW, for capacity-normalised solar/power features")
    .option("--no-validate", "keep values outside physical ranges and do not flag outliers")
    .option("--no-store", "do not write to the history store (processed CSVs only)")
    .option("-c, --config <file>", "JSON config file (any subset of the settings)");
  const flagsGiven = addSettingFlags(command, SETTING_FLAGS);
  command.addHelpText(
    "after",
    [
      "",
      "Examples:",
      "  vigil import data/denver_2019.csv --format nsrdb --unit SOLAR01 --capacity 250 --output-dir out/",
      "  vigil import meters/*.csv --workers 2 --clickhouse-url http://127.0.0.1:8123",
      "  vigil import history.csv --format long --no-store --output-dir out/",
    ].join("\n"),
  );
  command.action(async (files: string[], opts: Record<string, string | boolean | undefined>) => {
    const config = readConfigOrExit(opts["config"] as string | undefined, flagsGiven(opts as Record<string, string | undefined>));
    const options = parseOptions(files, opts);
    process.exitCode = await runImportCommand(config, options);
  });
}

function parseOptions(files: string[], opts: Record<string, string | boolean | undefined>): ImportOptions {
  const parsed = importOptionsSchema.safeParse({
    files,
    format: opts["format"],
    unit: opts["unit"],
    validate: opts["validate"],
    capacityKw: opts["capacity"],
    outputDir: opts["outputDir"],
    workers: opts["workers"],
    store: opts["store"],
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = String(issue?.path[0] ?? "");
    exitWith(EXIT_USAGE, `${FLAG_OF[field] ?? field}: expected ${issue?.message ?? "a valid value"}`);
  }
  if (!parsed.data.store && parsed.data.outputDir === undefined) exitWith(EXIT_USAGE, "--no-store without --output-dir would import nowhere");
  return parsed.data;
}

async function runImportCommand(config: VigilConfig, options: ImportOptions): Promise<number> {
  const progress = terminalProgress();
  const logger = createLogger(config.log, { bindings: { part: "import" }, ...(progress === undefined ? {} : { destination: progress.logDestination }) });
  let store: HistoryStore | undefined;
  if (options.store) {
    try {
      store = await openHistoryStore(config.history, logger);
    } catch (err) {
      logger.fatal({ err }, "history store could not be opened");
      exitWith(EXIT_FAILURE, `history store: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  try {
    const retentionDays = config.history.clickhouse.url === "" ? config.history.embedded.retentionDays : config.history.clickhouse.retentionDays;
    const summary = await runImport(options, { store, log: logger, retentionDays, ...(progress === undefined ? {} : { progress }) });
    logger.info({ summary }, "import finished");
    process.stdout.write(formatSummary(summary));
    return summary.filesFailed > 0 ? EXIT_FAILURE : EXIT_OK;
  } finally {
    await store?.close();
  }
}
