/**
 * Bench runner: `npm run bench -- <suite> [--quick]`.
 *
 * A suite is `bench/<suite>.ts` exporting
 * `async function run(opts: { quick: boolean }): Promise<void>` that reports
 * its figures with `reportFigure` (bench/report.ts). `--quick` is passed
 * through and must let the suite finish within 60 s; the runner enforces it.
 * Exit codes: 0 done, 1 the suite failed or overran, 2 usage (unknown suite).
 * Whichever way it ends, the processes the suite started (and theirs) are
 * stopped first (children.ts): an overrun ends a suite before its cleanup.
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { stopDescendantsOf } from "./children.js";

// Suites take these with `import type`: importing run.ts as a value would start the runner.
export interface SuiteOptions {
  readonly quick: boolean;
}

export type Suite = (opts: SuiteOptions) => Promise<void>;

const QUICK_BUDGET_MS = 60 * 1000; // 1 minute: what --quick promises
const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
/** Files in bench/ that are not suites. Helpers may also start with "_" or live in subfolders. */
const NOT_SUITES = new Set(["run", "report"]);

function availableSuites(): string[] {
  return readdirSync(BENCH_DIR, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".d.ts"))
    .map((e) => e.name.slice(0, -".ts".length))
    .filter((name) => !NOT_SUITES.has(name) && !name.startsWith("_"))
    .sort();
}

function usage(problem: string): never {
  const suites = availableSuites();
  process.stderr.write(
    `${problem}\nusage: npm run bench -- <suite> [--quick]\n` +
      `available suites: ${suites.length === 0 ? "(none yet)" : suites.join(", ")}\n`,
  );
  process.exit(2);
}

function parse(argv: string[]): { suite: string; quick: boolean } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { quick: { type: "boolean", default: false } }, allowPositionals: true });
  } catch (err) {
    usage(err instanceof Error ? err.message : String(err));
  }
  const [suite, ...extra] = parsed.positionals;
  if (suite === undefined) usage("no suite given");
  if (extra.length > 0) usage(`unexpected arguments: ${extra.join(" ")}`);
  if (!availableSuites().includes(suite)) usage(`unknown suite "${suite}"`);
  return { suite, quick: parsed.values.quick };
}

async function main(): Promise<void> {
  const { suite, quick } = parse(process.argv.slice(2));
  const mod = (await import(pathToFileURL(path.join(BENCH_DIR, `${suite}.ts`)).href)) as { run?: unknown };
  if (typeof mod.run !== "function") usage(`bench/${suite}.ts does not export run(opts)`);
  const run = mod.run as Suite;

  if (quick) {
    setTimeout(() => {
      process.stderr.write(`bench ${suite}: --quick run exceeded ${QUICK_BUDGET_MS / 1000} s\n`);
      void exit(1);
    }, QUICK_BUDGET_MS).unref();
  }
  const startedAt = performance.now();
  await run({ quick });
  process.stderr.write(`bench ${suite}: done in ${((performance.now() - startedAt) / 1000).toFixed(1)} s\n`);
}

let exiting: Promise<never> | undefined;

/** Stops what the suite left running, then exits; the first call's code wins (an overrun may meet the suite's end). */
function exit(code: number): Promise<never> {
  return (exiting ??= stopDescendantsOf(process.pid).then(() => process.exit(code)));
}

main().then(
  // Suites may leave workers or sockets behind; a finished bench exits regardless.
  () => exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return exit(1);
  },
);
