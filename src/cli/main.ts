#!/usr/bin/env node
/**
 * The `vigil` executable. Parses the command line and runs one command;
 * anything unexpected ends as one line on stderr and exit code 1, with the
 * stack only when VIGIL_DEBUG is set.
 */
import { EXIT_FAILURE, exitWith } from "./exit.js";
import { buildProgram } from "./program.js";

try {
  await buildProgram().parseAsync(process.argv);
} catch (err) {
  if (process.env["VIGIL_DEBUG"] !== undefined) console.error(err);
  exitWith(EXIT_FAILURE, err instanceof Error ? err.message : String(err));
}
