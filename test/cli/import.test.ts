/**
 * `vigil import` run as a real child process (node with the tsx loader), the
 * way an operator runs it: files into the embedded store and processed CSVs,
 * the summary, the exit codes, and the history settings from flags or the
 * environment.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { defaults } from "../../src/config/index.js";
import { openHistoryStore } from "../../src/store/index.js";
import { silentLog } from "../fixtures/actor-system.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const FIXTURES = "test/fixtures/import";

function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("VIGIL_")));
  return { ...env, ...extra };
}

function runCli(args: readonly string[], env = cleanEnv()): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], { cwd: ROOT, env });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, stdout, stderr })));
}

function logLines(stdout: string): Record<string, unknown>[] {
  return stdout.split("\n").flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

async function storedCount(path: string, unit: string, sensor: string): Promise<number> {
  const store = await openHistoryStore({ ...defaults.history, embedded: { ...defaults.history.embedded, path } }, silentLog);
  try {
    return (await store.rawRange({ unit, sensor, from: 0, to: Date.UTC(2100, 0, 1) })).length;
  } finally {
    await store.close();
  }
}

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "vigil-import-cli-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

// Each test starts node with the TypeScript loader (and piscina workers with their own), which takes long on a busy 2-core machine.
describe("vigil import", { timeout: 180_000 }, () => {
  it("imports files into the embedded store, writes processed CSVs, prints a summary and exits 0", async () => {
    const dir = tempDir();
    const db = join(dir, "history.duckdb");
    const out = join(dir, "out");
    const files = ["nsrdb_golden_2019.csv", "meter_feeder.csv"].map((f) => `${FIXTURES}/${f}`);
    const { code, stdout, stderr } = await runCli(["import", ...files, "--embedded-path", db, "--output-dir", out, "--capacity", "250", "--workers", "2"]);
    expect(code).toBe(0);
    expect(stderr).toBe(""); // no progress bar without a terminal
    expect(stdout).toContain("imported 2 of 2 file(s)");
    expect(stdout).toMatch(/readings imported\s+1,248\n/);
    const finished = logLines(stdout).find((l) => l["msg"] === "import finished") as { summary: { files: number; readingsImported: number; removed: object } };
    expect(finished.summary).toMatchObject({ files: 2, readingsImported: 96 * 8 + 96 * 5, removed: {} });
    expect(readdirSync(out).map((f) => f.replace(/_\d{8}T\d{6}Z_/, "_<stamp>_")).sort()).toEqual([
      "meter_processed_<stamp>_meter_feeder.csv",
      "nsrdb_processed_<stamp>_nsrdb_golden_2019.csv",
    ]);
    expect(await storedCount(db, "nsrdb_golden_2019", "ghi")).toBe(96);
    expect(await storedCount(db, "MTR01", "voltage_v")).toBe(96);
  });

  it("exits 1 when a file cannot be read, after importing the others", async () => {
    const db = join(tempDir(), "history.duckdb");
    const { code, stdout } = await runCli(["import", `${FIXTURES}/weather_station.csv`, "missing.csv", "--embedded-path", db]);
    expect(code).toBe(1);
    expect(stdout).toContain("imported 1 of 2 file(s)");
    expect(stdout).toMatch(/FAILED missing\.csv: ENOENT/);
    expect(logLines(stdout).find((l) => l["msg"] === "file not imported")).toMatchObject({ file: "missing.csv", code: "ENOENT" });
    expect(await storedCount(db, "weather_station", "temperature_c")).toBe(48);
  });

  it("exits 2 naming the flag when --format is not a format", async () => {
    const { code, stderr } = await runCli(["import", `${FIXTURES}/weather_station.csv`, "--format", "excel", "--no-store", "--output-dir", tempDir()]);
    expect(code).toBe(2);
    expect(stderr).toContain("--format: expected one of auto, nsrdb, meter, weather, wide, long");
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  it("exits 2 when --workers is not a whole number >= 1", async () => {
    const { code, stderr } = await runCli(["import", `${FIXTURES}/weather_station.csv`, "--workers", "0", "--no-store", "--output-dir", tempDir()]);
    expect(code).toBe(2);
    expect(stderr).toContain("--workers: expected a whole number >= 1");
  });

  it("takes the embedded store's path from VIGIL_HISTORY_EMBEDDED_PATH", async () => {
    const db = join(tempDir(), "from-env.duckdb");
    const { code } = await runCli(["import", `${FIXTURES}/long_plant.csv`, "--log-level", "warn"], cleanEnv({ VIGIL_HISTORY_EMBEDDED_PATH: db }));
    expect(code).toBe(0);
    expect(await storedCount(db, "UNIT001", "temperature")).toBe(12);
  });

  it("writes nothing to a store with --no-store, only the processed CSV", async () => {
    const dir = tempDir();
    const out = join(dir, "out");
    const { code, stdout } = await runCli(["import", `${FIXTURES}/long_plant.csv`, "--no-store", "--output-dir", out], cleanEnv({ VIGIL_HISTORY_EMBEDDED_PATH: join(dir, "never.duckdb") }));
    expect(code).toBe(0);
    expect(stdout).toMatch(/readings imported\s+48\n/);
    expect(readdirSync(dir)).toEqual(["out"]);
    expect(readdirSync(out)).toHaveLength(1);
  });
});
