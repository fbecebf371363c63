/**
 * The `vigil` CLI run as a real child process (node with the tsx loader), the
 * way an operator runs it.
 */
import { spawn } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it, vi } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const VERSION = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;

/** The parent's environment without VIGIL_* settings, so the host cannot leak into a test. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("VIGIL_")));
  return { ...env, ...extra };
}

function spawnCli(args: readonly string[], env = cleanEnv()): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], { cwd: ROOT, env });
}

function exited(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

async function runCli(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnCli(args);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await exited(child);
  return { code, stdout, stderr };
}

/** Resolves with the first JSON log line on stdout that matches. */
function logLine(child: ChildProcessWithoutNullStreams, match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on("line", (text) => {
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text) as Record<string, unknown>;
      } catch {
        return; // not a log line
      }
      if (match(line)) resolve(line);
    });
    child.once("exit", (code) => reject(new Error(`vigil exited (${code}) before logging the expected line`)));
  });
}

const running: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

describe("vigil CLI", () => {
  it("lists its commands in --help", async () => {
    const { code, stdout } = await runCli(["--help"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Usage: vigil/);
    expect(stdout).toMatch(/^\s+start \[options\]/m);
    expect(stdout).toMatch(/^\s+version/m);
  });

  it("prints the package version and the Node.js version for `vigil version`", async () => {
    const { code, stdout } = await runCli(["version"]);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(`vigil ${VERSION} (Node.js ${process.version}, ${process.platform}-${process.arch})`);
  });

  it("exits 2 naming the field and the flag when --workers is not a number, without a stack trace", async () => {
    const { code, stderr } = await runCli(["start", "--workers", "abc"]);
    expect(code).toBe(2);
    expect(stderr).toContain('runtime.workers: expected a whole number >= 1, got "abc" (from --workers)');
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  it("starts a node that serves vigil_ metrics, the history writer's among them, and exits 0 on SIGTERM", async () => {
    // Its own history files: the default path is shared by every node started from this checkout.
    const dir = mkdtempSync(join(tmpdir(), "vigil-cli-"));
    const env = cleanEnv({ VIGIL_HISTORY_EMBEDDED_PATH: join(dir, "vigil.duckdb"), VIGIL_HISTORY_WRITER_SPOOL_DIR: join(dir, "spool") });
    const child = spawnCli(["start", "--metrics-port", "0", "--http-port", "0", "--log-level", "info"], env);
    running.push(child);
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const listening = logLine(child, (l) => l["msg"] === "metrics server listening");
    const apiListening = logLine(child, (l) => l["msg"] === "http server listening");
    const started = logLine(child, (l) => l["msg"] === "node started");
    const { url } = (await listening) as { url: string };
    await started;

    const metrics = await fetch(`${url}/metrics`);
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).toMatch(/^vigil_process_cpu_user_seconds_total\{node="[^"]+"\} /m);
    for (const name of ["vigil_history_rows_written_total", "vigil_history_queue_depth", "vigil_history_spool_bytes", "vigil_history_insert_failures_total"]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    // No keys configured: the API is on loopback, with a one-time admin key printed on stderr.
    const api = (await apiListening) as { url: string };
    expect(api.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // stderr and stdout are separate pipes: the banner may arrive after the log line that follows it.
    const key = await vi.waitFor(() => {
      const found = /X-API-Key: (\S+)/.exec(stderr)?.[1];
      expect(found).toBeDefined();
      return found;
    });
    expect((await fetch(`${api.url}/api/v1/health/detailed`, { headers: { "x-api-key": key! } })).status).toBe(200);

    const code = exited(child);
    child.kill("SIGTERM");
    expect(await code).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  });
});
