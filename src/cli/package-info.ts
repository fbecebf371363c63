/**
 * The CLI's own package.json, found by walking up from this file: the path
 * differs between running from source (src/cli) and from the build
 * (dist/src/cli), and importing JSON as a module is still experimental in
 * Node 20.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export interface PackageInfo {
  readonly name: string;
  readonly version: string;
}

export function packageInfo(): PackageInfo {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = path.join(dir, "package.json");
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, "utf8")) as Partial<PackageInfo>;
      if (pkg.name === "vigil" && typeof pkg.version === "string") return { name: pkg.name, version: pkg.version };
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("cannot find vigil's package.json above " + fileURLToPath(import.meta.url));
    dir = parent;
  }
}
