/** The `vigil` command tree. Each command lives in its own file under commands/. */
import { Command } from "commander";
import { registerApiKey } from "./commands/api-key.js";
import { registerImport } from "./commands/import.js";
import { registerNotify } from "./commands/notify.js";
import { registerSimulate } from "./commands/simulate.js";
import { registerStart } from "./commands/start.js";
import { registerVersion, versionText } from "./commands/version.js";
import { EXIT_OK, EXIT_USAGE } from "./exit.js";

export function buildProgram(): Command {
  const program = new Command("vigil")
    .description("Actor-based runtime for industrial telemetry: ingest, score, alarm, store, retrain.")
    .version(versionText(), "-V, --version", "print the version")
    .showHelpAfterError("(run with --help for usage)")
    // Set before adding commands so they inherit it: usage errors (unknown
    // option, missing argument, no command) exit 2, like config errors.
    .exitOverride((err) => process.exit(err.exitCode === EXIT_OK ? EXIT_OK : EXIT_USAGE));
  registerStart(program);
  registerSimulate(program);
  registerImport(program);
  registerNotify(program);
  registerApiKey(program);
  registerVersion(program);
  return program;
}
