/**
 * One writer per spool directory: a second writer — in this process or in
 * another one — is refused with VIGIL_HISTORY_SPOOL_LOCKED, and the spool is
 * free again once its writer closes or its process dies.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { isVigilError } from "../../../src/runtime/errors.js";
import { HistoryWriter } from "../../../src/store/writer/index.js";
import { uniformSink } from "./rows.js";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const HOLDER = fileURLToPath(new URL("../../fixtures/hold-spool-lock.ts", import.meta.url));
const silentLog = pino({ level: "silent" });
const sink = uniformSink(() => Promise.resolve());
const dirs: string[] = [];
const children: ChildProcessWithoutNullStreams[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function spoolDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "vigil-spool-lock-"));
  dirs.push(dir);
  return dir;
}

function openWriter(dir: string): Promise<HistoryWriter> {
  return HistoryWriter.open({ store: sink, spoolDir: dir, log: silentLog });
}

async function refusal(opening: Promise<HistoryWriter>): Promise<unknown> {
  return opening.then(
    async (w) => {
      await w.close();
      return undefined;
    },
    (err: unknown) => err,
  );
}

/** Starts the holder process on `dir`; resolves once it holds the spool. */
async function holdInAnotherProcess(dir: string): Promise<ChildProcessWithoutNullStreams> {
  const child = spawn(process.execPath, ["--import", "tsx", HOLDER, dir], { cwd: ROOT });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on("line", (line) => line === "locked" && resolve());
    child.once("exit", (code) => reject(new Error(`the holder exited (${code}) before locking the spool`)));
  });
  return child;
}

describe("history writer spool lock", () => {
  it("refuses a second writer on the same spool in this process, and lets one in after the first closes", async () => {
    const dir = await spoolDir();
    const first = await openWriter(dir);
    const err = await refusal(openWriter(dir));
    expect(isVigilError(err, "VIGIL_HISTORY_SPOOL_LOCKED")).toBe(true);
    expect((err as Error).message).toContain(`pid ${process.pid}`);

    await first.close();
    const second = await openWriter(dir);
    await second.close();
    expect(await readdir(dir)).toEqual([]); // the lock goes with its writer
  });

  it("refuses a writer while another process holds the spool, and takes the spool over once that process is killed", async () => {
    const dir = await spoolDir();
    const holder = await holdInAnotherProcess(dir);
    const err = await refusal(openWriter(dir));
    expect(isVigilError(err, "VIGIL_HISTORY_SPOOL_LOCKED")).toBe(true);
    expect((err as Error).message).toContain(`pid ${holder.pid}`);

    const gone = new Promise((resolve) => holder.once("exit", resolve));
    holder.kill("SIGKILL"); // no chance to release the lock: it is left behind, stale
    await gone;
    expect(await readdir(dir)).toContain(".lock");
    const writer = await openWriter(dir);
    await writer.close();
  });
});
