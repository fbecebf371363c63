/**
 * The progress bar of `vigil import` (cli-progress), on stderr and only when
 * stderr is a terminal: piped or logged runs get the log lines alone. While
 * the bar is up, log lines are written above it rather than through it.
 */
import cliProgress from "cli-progress";
import type { DestinationStream } from "pino";
import type { ImportProgress } from "../store/import/index.js";

export interface TerminalProgress extends ImportProgress {
  /** A pino destination that writes above the bar while it is shown. */
  readonly logDestination: DestinationStream;
}

export function terminalProgress(): TerminalProgress | undefined {
  if (process.stderr.isTTY !== true) return undefined;
  const bars = new cliProgress.MultiBar(
    {
      format: "importing [{bar}] {value}/{total} files | {stored} readings stored | {file}",
      hideCursor: true,
      clearOnComplete: false,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  let bar: cliProgress.SingleBar | undefined;
  let stored = 0;
  let running = false;
  return {
    logDestination: {
      write(line: string) {
        if (running) bars.log(line);
        else process.stdout.write(line);
      },
    },
    start(files) {
      running = true;
      bar = bars.create(files, 0, { stored: "0", file: "" });
    },
    fileDone(file) {
      bar?.increment(1, { file });
    },
    stored(rows) {
      stored += rows;
      bar?.update({ stored: stored.toLocaleString("en-US") });
    },
    stop() {
      running = false;
      bars.stop();
    },
  };
}
