/** Shared by the import specs: temp directories, CSV files written inline, one file processed as import would. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach } from "vitest";
import { processFile, type FileOutcome, type FileProcessed, type ImportTask } from "../../../src/store/import/process-file.js";

export const FIXTURES = fileURLToPath(new URL("../../fixtures/import/", import.meta.url));
export const fixture = (name: string): string => join(FIXTURES, name);

/** The run's clock in these specs: after every fixture's timestamps. */
export const NOW = Date.UTC(2026, 0, 1);

/** A temp directory per call, removed after each test. */
export function useTempDirs(): () => string {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), "vigil-import-"));
    dirs.push(dir);
    return dir;
  };
}

export function writeCsv(dir: string, name: string, lines: readonly string[]): string {
  const file = join(dir, name);
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

export function task(file: string, over: Partial<ImportTask> = {}): ImportTask {
  return { file, format: "auto", unit: undefined, validate: true, capacityKw: undefined, outputDir: undefined, stamp: "20260101T000000Z", now: NOW, maxIssues: 1000, ...over };
}

/** Processes one file and insists it was understood. */
export async function processed(file: string, over: Partial<ImportTask> = {}): Promise<FileProcessed> {
  const outcome: FileOutcome = await processFile(task(file, over));
  if (!outcome.ok) throw new Error(`expected ${file} to be processed, got ${outcome.code ?? ""}: ${outcome.message}`);
  return outcome;
}

export interface FlatReading {
  unit: string;
  sensor: string;
  ts: number;
  value: number;
  quality: string;
}

const QUALITY = ["GOOD", "UNCERTAIN", "BAD"];

/** Every reading of a processed file, ordered by unit, sensor, ts. */
export function readingsOf(file: FileProcessed): FlatReading[] {
  const out: FlatReading[] = [];
  for (const s of file.series) {
    for (let i = 0; i < s.ts.length; i++) {
      out.push({ unit: s.unit, sensor: s.sensor, ts: s.ts[i] as number, value: s.value[i] as number, quality: QUALITY[s.quality[i] as number] as string });
    }
  }
  return out.sort((a, b) => a.unit.localeCompare(b.unit) || a.sensor.localeCompare(b.sensor) || a.ts - b.ts);
}

/** A long-format file of 40 steady vibration readings and one spike of 9.5 at the end. */
export function vibrationWithSpike(dir: string): string {
  const lines = ["timestamp,unit,sensor,value"];
  for (let i = 0; i < 40; i++) lines.push(`${Date.UTC(2024, 0, 1) + i * 60_000},UNIT001,vibration,${(3 + (i % 5) * 0.1).toFixed(1)}`);
  lines.push(`${Date.UTC(2024, 0, 1) + 40 * 60_000},UNIT001,vibration,9.5`);
  return writeCsv(dir, "vib.csv", lines);
}
