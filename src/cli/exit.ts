/** Exit codes and the one way the CLI reports a failure to a human. */

export const EXIT_OK = 0;
/** Something went wrong while running (a port in use, a failed start). */
export const EXIT_FAILURE = 1;
/** The command line or configuration was wrong: fixable by the user, so no stack trace. */
export const EXIT_USAGE = 2;

/** Prints `vigil: <message>` on stderr and exits. */
export function exitWith(code: number, message: string): never {
  process.stderr.write(`vigil: ${message}\n`);
  process.exit(code);
}
