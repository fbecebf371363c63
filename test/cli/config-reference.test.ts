/**
 * The configuration reference is generated from the config schema, so it
 * cannot drift: the committed docs/configuration.md must be exactly what
 * `npm run docs:config` writes, and the schema must describe every key.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { configSections, renderConfigReference } from "../../src/cli/config-reference.js";
import { SETTINGS } from "../../src/config/index.js";

const COMMITTED = new URL("../../docs/configuration.md", import.meta.url);

describe("configuration reference", () => {
  it("is committed exactly as npm run docs:config generates it (run it after changing the schema)", () => {
    expect(readFileSync(COMMITTED, "utf8")).toBe(renderConfigReference());
  });

  it("has a description of every key from the schema", () => {
    const undescribed = configSections().flatMap((s) => s.keys).filter((k) => k.description.trim() === "").map((k) => k.path);
    expect(undescribed).toEqual([]);
  });

  it("lists every setting with the environment variable the loader reads", () => {
    const documented = new Map(configSections().flatMap((s) => s.keys).map((k) => [k.path, k.env]));
    for (const setting of SETTINGS) expect(documented.get(setting.path), setting.path).toBe(setting.env);
  });
});
