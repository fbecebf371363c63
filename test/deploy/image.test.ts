/**
 * deploy/Dockerfile, read rather than built (base images cannot be pulled
 * here): the build stage gets every file `npm run build` reads, and the image
 * runs `vigil start` as an unprivileged user with a health check on the
 * node's health route.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { defaults } from "../../src/config/index.js";
import { readDeploy } from "./deploy-files.js";

const dockerfile = readDeploy("Dockerfile");
const stages = dockerfile.split(/^FROM /m).slice(1);
const build = stages[0] ?? "";
const final = stages.at(-1) ?? "";

/** The sources of the COPY lines of a stage that copy from the build context. */
function copied(stage: string): string[] {
  return [...stage.matchAll(/^COPY (?!--from)(.+)$/gm)].flatMap((m) => (m[1] ?? "").trim().split(/\s+/).slice(0, -1));
}

describe("deploy/Dockerfile", () => {
  it("builds from node 20 in two stages", () => {
    expect(stages).toHaveLength(2);
    for (const stage of stages) expect(stage).toMatch(/^node:20[-\w.]*/);
  });

  it("copies into the build stage every file npm ci and npm run build read", () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { scripts: Record<string, string> };
    const read = (pkg.scripts["build"] ?? "").split(/\s+/).filter((token) => /\.(json|mjs|js)$/.test(token));
    expect(read.length).toBeGreaterThan(0);
    const sources = copied(build);
    for (const file of [...read, "package.json", "package-lock.json", "tsconfig.json"]) {
      expect(sources.some((src) => file === src || file.startsWith(src.replace(/\/?$/, "/"))), file).toBe(true);
    }
    expect(build).toMatch(/^RUN npm ci$/m);
    expect(build).toMatch(/npm run build/);
  });

  it("runs vigil start as the unprivileged node user", () => {
    expect(final).toMatch(/^USER node$/m);
    expect(final).toMatch(/^ENTRYPOINT \["vigil"\]$/m);
    expect(final).toMatch(/^CMD \["start"\]$/m);
  });

  it("checks health at /api/v1/health on the default HTTP port", () => {
    expect(final).toContain(`http://127.0.0.1:${defaults.http.port}/api/v1/health`);
    expect(final).toMatch(new RegExp(`^EXPOSE .*\\b${defaults.http.port}\\b`, "m"));
  });
});
