/**
 * Import bench: how fast `vigil import` turns a year of solar data in the
 * NSRDB layout (8 measurement columns, seeded synthetic values) into checked
 * readings, processed CSVs and stored rows.
 *
 * - parse_readings_per_s: read, split and check every value and flag
 *   outliers (processFile without --output-dir). Baseline in the same run:
 *   danfojs readCSV of the same data (header and values only, no checks,
 *   no per-row errors) — what one reaches for to load a CSV into a frame.
 * - processed_rows_per_s: the same plus features and the processed CSV
 *   (processFile with --output-dir), in rows of the processed CSV.
 * - embedded_import_readings_per_s: runImport end to end into the embedded
 *   DuckDB store (no processed CSV).
 * - workers_2_files_per_s: four copies of the file with features, through a
 *   piscina pool of 2; baseline the same with one in-thread worker. Worker
 *   start-up (the TypeScript loader, danfojs) is counted: it is part of
 *   what a user waits for.
 *
 * Full: one reading every 5 minutes (105,120 rows, 840,960 readings);
 * --quick: every 30 minutes (17,520 rows).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pino } from "pino";
import { importOptionsSchema, runImport } from "../src/store/import/index.js";
import { processFile, type ImportTask } from "../src/store/import/process-file.js";
import { openHistoryStore } from "../src/store/index.js";
import { defaults } from "../src/config/index.js";
import type { SuiteOptions } from "./run.js";
import { reportFigure } from "./report.js";

const SUITE = "import";
const HEADER = "Year,Month,Day,Hour,Minute,Temperature,DHI,DNI,GHI,Relative Humidity,Solar Zenith Angle,Pressure,Wind Speed";
const SENSORS = 8;
const silent = pino({ level: "silent" });

export async function run(opts: SuiteOptions): Promise<void> {
  const stepMinutes = opts.quick ? 30 : 5;
  const dir = mkdtempSync(path.join(tmpdir(), "vigil-bench-import-"));
  try {
    const { nsrdb, plain, rows } = writeYear(dir, stepMinutes);
    const conditions = { rows, step_minutes: stepMinutes };
    const task = (outputDir?: string): ImportTask => ({ file: nsrdb, format: "nsrdb", unit: "SOLAR01", validate: true, capacityKw: 250, outputDir, stamp: "bench", now: Date.now(), maxIssues: 1000 });

    await processFile(task()); // warm-up: JIT, file cache
    const dfd = await import("danfojs-node");
    await dfd.readCSV(plain);
    const parseS = await seconds(() => processFile(task()));
    const danfoS = await seconds(() => dfd.readCSV(plain));
    reportFigure({ suite: SUITE, metric: "parse_readings_per_s", value: Math.round((rows * SENSORS) / parseS), unit: "1/s", conditions, baseline: "danfojs readCSV (no checks)", baseline_value: Math.round((rows * SENSORS) / danfoS) });

    const out = path.join(dir, "out");
    mkdirSync(out);
    const processedS = await seconds(() => processFile(task(out)));
    reportFigure({ suite: SUITE, metric: "processed_rows_per_s", value: Math.round(rows / processedS), unit: "1/s", conditions });

    const store = await openHistoryStore({ ...defaults.history, embedded: { ...defaults.history.embedded, path: path.join(dir, "history.duckdb") } }, silent);
    try {
      const options = importOptionsSchema.parse({ files: [nsrdb], unit: "SOLAR01" });
      const storeS = await seconds(() => runImport(options, { store, log: silent }));
      reportFigure({ suite: SUITE, metric: "embedded_import_readings_per_s", value: Math.round((rows * SENSORS) / storeS), unit: "1/s", conditions });
    } finally {
      await store.close();
    }

    const copies = Array.from({ length: 4 }, (_, i) => path.join(dir, `site${i}.csv`));
    for (const copy of copies) writeFileSync(copy, readText(nsrdb));
    const filesPerS = async (workers: number): Promise<number> => {
      const options = importOptionsSchema.parse({ files: copies, workers, store: false, outputDir: path.join(dir, `w${workers}`) });
      return copies.length / (await seconds(() => runImport(options, { store: undefined, log: silent })));
    };
    const one = await filesPerS(1);
    const two = await filesPerS(2);
    reportFigure({ suite: SUITE, metric: "workers_2_files_per_s", value: round3(two), unit: "1/s", conditions: { ...conditions, files: copies.length }, baseline: "--workers 1", baseline_value: round3(one) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function seconds(work: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await work();
  return (performance.now() - t0) / 1000;
}

function round3(x: number): number {
  return Number(x.toPrecision(3));
}

let cached: { file: string; text: string } | undefined;
function readText(file: string): string {
  if (cached?.file !== file) throw new Error(`${file} was not written by this bench`);
  return cached.text;
}

/** A year of half-plausible solar-site values (seeded), as an NSRDB file and as a plain CSV of the same rows. */
function writeYear(dir: string, stepMinutes: number): { nsrdb: string; plain: string; rows: number } {
  let seed = 42;
  const random = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const lines: string[] = [];
  const start = Date.UTC(2019, 0, 1);
  const rows = (365 * 24 * 60) / stepMinutes;
  for (let i = 0; i < rows; i++) {
    const d = new Date(start + i * stepMinutes * 60_000);
    const hour = d.getUTCHours() + d.getUTCMinutes() / 60;
    const sun = Math.max(0, Math.sin(((hour - 13) / 24) * 2 * Math.PI + Math.PI / 2));
    const ghi = Math.round(1000 * sun * (0.6 + 0.4 * random()));
    lines.push(
      [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), (10 + 12 * sun + 3 * random()).toFixed(1), Math.round(ghi * 0.2), Math.round(ghi * 0.9), ghi, (30 + 50 * random()).toFixed(2), (90 - 70 * sun).toFixed(2), 812, (8 * random()).toFixed(1)].join(","),
    );
  }
  const body = `${HEADER}\n${lines.join("\n")}\n`;
  const nsrdb = path.join(dir, "site.csv");
  const text = `Source,Location ID,Latitude,Longitude,Time Zone,Local Time Zone\nNSRDB,1,39.73,-105.18,0,-7\n${body}`;
  writeFileSync(nsrdb, text);
  cached = { file: nsrdb, text };
  const plain = path.join(dir, "plain.csv");
  writeFileSync(plain, body);
  return { nsrdb, plain, rows };
}
