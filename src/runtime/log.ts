/**
 * The node's structured logger (pino, JSON lines on stdout). Created once at
 * start-up and handed down: actors and runtime parts receive a `Logger` (or a
 * child of it) through their context, never import one, so tests can capture
 * or silence logs per instance.
 */
import { createRequire } from "node:module";
import { pino } from "pino";
import type { DestinationStream, LevelWithSilent, Logger as PinoLogger } from "pino";

export type Logger = PinoLogger;

/** Structurally the `log` section of VigilConfig; runtime does not import config. */
export interface LogOptions {
  readonly level: LevelWithSilent;
  /** Human-readable, coloured output; honoured only when stdout is a terminal. */
  readonly pretty: boolean;
}

export interface LoggerDeps {
  /** Where log lines go; defaults to stdout. Tests pass a capturing stream. */
  readonly destination?: DestinationStream;
  /** Fields added to every line, e.g. `{ node: config.node.id }`. */
  readonly bindings?: Record<string, unknown>;
  /** Overrides the stdout TTY check (for tests). */
  readonly isTTY?: boolean;
}

export function createLogger(options: LogOptions, deps: LoggerDeps = {}): Logger {
  const pinoOptions = {
    level: options.level,
    timestamp: pino.stdTimeFunctions.isoTime,
    // Level names ("info") rather than numbers (30): readable, and what log shippers expect.
    formatters: { level: (label: string) => ({ level: label }) },
  };
  const wantPretty = options.pretty && deps.destination === undefined && (deps.isTTY ?? process.stdout.isTTY === true);
  const pretty = wantPretty ? loadPrettyStream() : undefined;
  // Synchronous writes: nothing is lost when the process exits right after a
  // log line (fatal errors, signals), and the hot path does not log.
  const destination = deps.destination ?? pretty ?? pino.destination({ dest: 1, sync: true });
  let logger = pino(pinoOptions, destination);
  if (deps.bindings !== undefined) logger = logger.child(deps.bindings);
  if (wantPretty && pretty === undefined) logger.warn("pretty logs need pino-pretty, which is not installed; writing JSON");
  return logger;
}

/** pino-pretty is a dev dependency: absent in production installs. */
function loadPrettyStream(): DestinationStream | undefined {
  try {
    const require = createRequire(import.meta.url);
    const pinoPretty = require("pino-pretty") as (opts: { sync: boolean; colorize: boolean }) => DestinationStream;
    return pinoPretty({ sync: true, colorize: true });
  } catch {
    return undefined;
  }
}
