/**
 * Graceful shutdown on SIGINT/SIGTERM: the first signal stops the node and
 * exits 0 once everything has closed; a second signal exits at once, for
 * when a graceful stop hangs and the operator has lost patience.
 */
import { constants } from "node:os";
import type { Logger } from "../runtime/log.js";
import { EXIT_FAILURE, EXIT_OK } from "./exit.js";

const SIGNALS = ["SIGINT", "SIGTERM"] as const;

export function exitOnSignals(stop: () => Promise<void>, logger: Logger): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, "second signal: exiting without waiting");
      // 128 + signal number: the status a shell reports for a process killed by it.
      process.exit(128 + constants.signals[signal]);
    }
    stopping = true;
    logger.info({ signal }, "stopping; send the signal again to exit at once");
    stop().then(
      () => process.exit(EXIT_OK),
      (err: unknown) => {
        logger.error({ err }, "graceful stop failed");
        process.exit(EXIT_FAILURE);
      },
    );
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
}
