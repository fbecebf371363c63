/**
 * openHistoryStore: the config's history section picks the store, and the
 * store comes back migrated.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { defaults } from "../../src/config/index.js";
import type { VigilConfig } from "../../src/config/index.js";
import { isVigilError } from "../../src/runtime/errors.js";
import { openHistoryStore } from "../../src/store/open.js";
import { silentLog } from "../fixtures/actor-system.js";

function history(overrides: { url?: string; path?: string }): VigilConfig["history"] {
  return {
    ...defaults.history,
    clickhouse: { ...defaults.history.clickhouse, url: overrides.url ?? "" },
    embedded: { ...defaults.history.embedded, path: overrides.path ?? defaults.history.embedded.path },
  };
}

describe("openHistoryStore", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("opens the embedded store, migrated, at history.embedded.path when no ClickHouse url is set", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vigil-open-"));
    dirs.push(dir);
    const store = await openHistoryStore(history({ path: join(dir, "nested", "vigil.duckdb") }), silentLog);
    try {
      expect(store.kind).toBe("embedded");
      expect(await store.migrate()).toEqual({ applied: [], current: 1 });
    } finally {
      await store.close();
    }
  });

  it("uses ClickHouse when history.clickhouse.url is set, failing with VIGIL_STORE_QUERY_FAILED if it is unreachable", async () => {
    const err: unknown = await openHistoryStore(history({ url: "http://127.0.0.1:9" }), silentLog).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isVigilError(err, "VIGIL_STORE_QUERY_FAILED")).toBe(true);
    expect((err as Error).message).toMatch(/127\.0\.0\.1:9|ECONNREFUSED|connect/i);
  });
});
