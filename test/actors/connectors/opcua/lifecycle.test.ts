/**
 * stop() releases everything: a process that ran the connector against a
 * server, and stopped both, exits on its own.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

describe("OPC UA connector lifecycle", () => {
  it("leaves no open handles after stop(): the process exits by itself", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "test/fixtures/opcua-stop-and-exit.ts"], { cwd: ROOT });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(out).toContain("stopped");
    expect({ code, out }).toEqual({ code: 0, out: "stopped\n" });
  });
});
