/** The options of an import run, checked once at the boundary. */
import { describe, expect, it } from "vitest";
import { importOptionsSchema } from "../../../src/store/import/index.js";

describe("import options", () => {
  it("fills in the defaults: auto format, validation on, one worker, the store on", () => {
    expect(importOptionsSchema.parse({ files: ["a.csv"] })).toEqual({ files: ["a.csv"], format: "auto", validate: true, workers: 1, store: true, maxIssues: 100_000 });
  });

  it("reads --workers and --capacity from the strings the command line gives", () => {
    expect(importOptionsSchema.parse({ files: ["a.csv"], workers: "2", capacityKw: "250.5" })).toMatchObject({ workers: 2, capacityKw: 250.5 });
  });

  it("refuses two input files of one name with --output-dir, whose processed CSVs would overwrite each other", () => {
    const result = importOptionsSchema.safeParse({ files: ["north/site.csv", "south/site.csv"], outputDir: "out" });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ path: ["files"], message: expect.stringContaining("site.csv comes twice") as unknown });
    expect(importOptionsSchema.safeParse({ files: ["north/site.csv", "south/site.csv"] }).success).toBe(true);
  });

  it("refuses a unit id that could not be a unit", () => {
    expect(importOptionsSchema.safeParse({ files: ["a.csv"], unit: "unit 1" }).success).toBe(false);
  });
});
