/**
 * Runs a load generator (nats-load.ts, mqtt-load.ts) in its own process and
 * starts it with the handshake of start-signal.ts: `onStart` runs once the
 * generator is connected and its load prepared, right before it is told to
 * send, so whoever times the node starts the clock there.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { LoadSummary } from "./start-signal.js";

const LOAD_DIR = fileURLToPath(new URL("./", import.meta.url));

export function runLoad<T = unknown>(script: "nats-load.ts" | "mqtt-load.ts", args: readonly (string | number)[], onStart?: () => void): Promise<LoadSummary<T>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(LOAD_DIR, script), ...args.map(String)], { stdio: ["pipe", "pipe", "inherit"] });
    let last = "";
    createInterface({ input: child.stdout }).on("line", (line) => {
      if (line === `{"ready":true}`) {
        onStart?.();
        child.stdin.end("go\n");
      } else if (line.trim() !== "") {
        last = line;
      }
    });
    child.once("error", reject);
    child.once("close", (code) => {
      if (code !== 0) reject(new Error(`${script} exited with ${String(code)}`));
      else resolve(JSON.parse(last) as LoadSummary<T>);
    });
  });
}
