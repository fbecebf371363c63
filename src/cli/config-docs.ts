/**
 * `npm run docs:config`: writes docs/configuration.md from the config schema.
 * With `--check` it writes nothing and exits 1 when the file is stale (for CI).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { renderConfigReference } from "./config-reference.js";

export const CONFIG_REFERENCE_FILE = fileURLToPath(new URL("../../docs/configuration.md", import.meta.url));

function main(): void {
  const text = renderConfigReference();
  if (process.argv.includes("--check")) {
    let current = "";
    try {
      current = readFileSync(CONFIG_REFERENCE_FILE, "utf8");
    } catch {
      // missing: stale
    }
    if (current !== text) {
      process.stderr.write(`${CONFIG_REFERENCE_FILE} is stale: run npm run docs:config\n`);
      process.exit(1);
    }
    return;
  }
  writeFileSync(CONFIG_REFERENCE_FILE, text);
  process.stdout.write(`wrote ${CONFIG_REFERENCE_FILE}\n`);
}

main();
