/** `vigil version`: what is running, for bug reports and deploy checks. */
import type { Command } from "commander";
import { packageInfo } from "../package-info.js";

/** e.g. "vigil 0.1.0 (Node.js v20.20.2, linux-x64)" */
export function versionText(): string {
  return `vigil ${packageInfo().version} (Node.js ${process.version}, ${process.platform}-${process.arch})`;
}

export function registerVersion(program: Command): void {
  program
    .command("version")
    .description("print Vigil's version and the Node.js version")
    .action(() => {
      process.stdout.write(versionText() + "\n");
    });
}
