import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { configSchema, ConfigInvalidError, defaults, loadConfig } from "../../src/config/index.js";
import type { LoadConfigOptions } from "../../src/config/index.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "vigil-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function configFile(content: unknown): string {
  const file = path.join(dir, `config-${files++}.json`);
  writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
  return file;
}

/** The ConfigInvalidError that loading with `options` throws. */
function loadError(options: LoadConfigOptions): ConfigInvalidError {
  try {
    loadConfig(options);
  } catch (err) {
    if (err instanceof ConfigInvalidError) return err;
    throw err;
  }
  throw new Error("expected loadConfig to throw");
}

function leaves(value: unknown, prefix = ""): [string, unknown][] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return [[prefix, value]];
  return Object.entries(value).flatMap(([k, v]) => leaves(v, prefix === "" ? k : `${prefix}.${k}`));
}

describe("loadConfig", () => {
  it("fills every field from the defaults when nothing overrides them", () => {
    const config = loadConfig({ env: {} });
    expect(config).toEqual(defaults);
    for (const [leaf, value] of leaves(config)) expect(value, leaf).not.toBeUndefined();
  });

  it("accepts its own defaults as valid", () => {
    expect(configSchema.safeParse(defaults).success).toBe(true);
  });

  it("takes values from the file and keeps the defaults the file does not mention", () => {
    const file = configFile({ runtime: { workers: 3, supervision: { maxRestarts: 9 } } });
    const config = loadConfig({ file, env: {} });
    expect(config.runtime.workers).toBe(3);
    expect(config.runtime.supervision.maxRestarts).toBe(9);
    expect(config.runtime.supervision.withinMs).toBe(defaults.runtime.supervision.withinMs);
  });

  it("lets the environment override the file", () => {
    const file = configFile({ runtime: { workers: 3 }, log: { level: "warn" } });
    const config = loadConfig({ file, env: { VIGIL_RUNTIME_WORKERS: "4" } });
    expect(config.runtime.workers).toBe(4);
    expect(config.log.level).toBe("warn");
  });

  it("lets flags override the environment", () => {
    const config = loadConfig({
      env: { VIGIL_RUNTIME_WORKERS: "4" },
      flags: [{ flag: "--workers", path: "runtime.workers", value: "6" }],
    });
    expect(config.runtime.workers).toBe(6);
  });

  it("reads a comma-separated variable as a list", () => {
    const config = loadConfig({
      env: { VIGIL_TRANSPORT_KIND: "nats", VIGIL_TRANSPORT_NATS_SERVERS: "nats://a:4222, nats://b:4222" },
    });
    expect(config.transport.nats.servers).toEqual(["nats://a:4222", "nats://b:4222"]);
  });

  it("names the field, what it expects, the value and the variable when an env value is bad", () => {
    const err = loadError({ env: { VIGIL_RUNTIME_WORKERS: "abc" } });
    expect(err.code).toBe("VIGIL_CONFIG_INVALID");
    expect(err.message).toContain('runtime.workers: expected a whole number >= 1, got "abc" (from VIGIL_RUNTIME_WORKERS)');
  });

  it("names the flag when a flag value is bad", () => {
    const err = loadError({ env: {}, flags: [{ flag: "--metrics-port", path: "metrics.port", value: "70000" }] });
    expect(err.issues).toEqual([
      { path: "metrics.port", problem: "expected a whole number from 0 to 65535, got 70000", source: "--metrics-port" },
    ]);
  });

  it("names the file when a file value is bad", () => {
    const file = configFile({ runtime: { overflow: "drop-newest" } });
    const err = loadError({ file, env: {} });
    expect(err.message).toContain(`runtime.overflow: expected one of "backpressure", "drop-oldest", got "drop-newest" (from file ${file})`);
  });

  it("rejects an unknown key in the file and suggests the likely one", () => {
    const file = configFile({ runtime: { wrkers: 4 } });
    const err = loadError({ file, env: {} });
    expect(err.issues).toEqual([
      { path: "runtime.wrkers", problem: 'unknown key; did you mean "workers"?', source: `file ${file}` },
    ]);
  });

  it("rejects a VIGIL_ variable that names no setting in a known section", () => {
    const err = loadError({ env: { VIGIL_RUNTIME_WORKRS: "4" } });
    expect(err.message).toContain("VIGIL_RUNTIME_WORKRS: not a Vigil setting; did you mean VIGIL_RUNTIME_WORKERS?");
  });

  it("ignores VIGIL_ variables outside the config sections", () => {
    expect(() => loadConfig({ env: { VIGIL_DEBUG: "1", VIGIL_TEST_SOMETHING: "x" } })).not.toThrow();
  });

  it("reports every bad field in one error", () => {
    const file = configFile({ log: { level: "loud" } });
    const err = loadError({ file, env: { VIGIL_RUNTIME_WORKERS: "0" }, flags: [{ flag: "--transport", path: "transport.kind", value: "carrier-pigeon" }] });
    expect(err.issues.map((i) => `${i.path} (${i.source})`)).toEqual([
      `log.level (file ${file})`,
      "runtime.workers (VIGIL_RUNTIME_WORKERS)",
      "transport.kind (--transport)",
    ]);
  });

  it("rejects a backoff whose maximum is below its minimum", () => {
    const err = loadError({ env: { VIGIL_RUNTIME_SUPERVISION_BACKOFF_MIN_MS: "500", VIGIL_RUNTIME_SUPERVISION_BACKOFF_MAX_MS: "100" } });
    expect(err.issues[0]?.path).toBe("runtime.supervision.backoff.maxMs");
  });

  it("reports a file that is not JSON as a config error naming the file", () => {
    const file = configFile("runtime:\n  workers: 4\n");
    const err = loadError({ file, env: {} });
    expect(err.issues).toEqual([{ path: "", problem: expect.stringMatching(/^expected JSON, but /) as unknown, source: `file ${file}` }]);
  });

  it("reports a missing file as a config error", () => {
    const err = loadError({ file: path.join(dir, "absent.json"), env: {} });
    expect(err.message).toContain("cannot read the config file: no such file");
  });

  it("returns a frozen config", () => {
    const config = loadConfig({ env: {} });
    expect(Object.isFrozen(config.runtime.supervision.backoff)).toBe(true);
  });
});
