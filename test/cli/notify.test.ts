/**
 * `vigil notify outbox` and `vigil notify dead-letters` read what a
 * dispatcher left in its outbox: undelivered items and dead letters per
 * notifier.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { createNotificationDispatcher } from "../../src/notify/index.js";
import { capturedLog, notification, notifyConfig, startReceiver, tempDir, until } from "../notify/peers.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function runCli(args: readonly string[]): Promise<{ code: number | null; stdout: string }> {
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("VIGIL_")));
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], { cwd: ROOT, env });
  let stdout = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, stdout })));
}

// Each CLI run starts node with the TypeScript loader, which takes long on a busy 2-core machine (30 s was not enough there).
describe("vigil notify", { timeout: 120_000 }, () => {
  it("lists pending items and dead letters per notifier from the outbox", async () => {
    const refusing = await startReceiver("cli-spec-hmac-key");
    refusing.mode = "refuse";
    cleanups.push(() => refusing.down());
    const down = await startReceiver("cli-spec-hmac-key");
    await down.down();
    const { dir, remove } = await tempDir();
    cleanups.push(remove);
    const config = notifyConfig(dir, {
      retry: { maxAttempts: 5, initialMs: 60_000, maxMs: 60_000 },
      notifiers: [
        { type: "webhook", name: "refused-hook", url: refusing.url, secret: "K" },
        { type: "webhook", name: "down-hook", url: down.url, secret: "K" },
      ],
      routes: [{ notifiers: ["refused-hook", "down-hook"] }],
    });
    const dispatcher = await createNotificationDispatcher(config, { log: capturedLog().log, env: { K: "cli-spec-other-key" } });
    const n = notification({ unit: "UNIT009", severity: "HIGH" });
    dispatcher.dispatch(n);
    await until(async () => (await dispatcher.deadLetters()).length === 1, "the refused one dead-lettered");
    await dispatcher.close();

    // Three independent reads of the same outbox: run at once, so the spec waits for one tsx start-up, not three.
    const [outbox, dead, json] = await Promise.all([
      runCli(["notify", "outbox", "--outbox-dir", dir]),
      runCli(["notify", "dead-letters", "--outbox-dir", dir]),
      runCli(["notify", "dead-letters", "--json", "--outbox-dir", dir]),
    ]);
    expect(outbox.code).toBe(0);
    expect(outbox.stdout).toBe("down-hook  pending 1  dead letters 0\nrefused-hook  pending 0  dead letters 1\n");

    expect(dead.code).toBe(0);
    expect(dead.stdout).toMatch(new RegExp(`^\\S+Z refused-hook ${n.id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} raised HIGH UNIT009/temperature, 1 attempts: refused-hook: answered 401 "bad signature"\\n$`));

    expect(JSON.parse(json.stdout)).toMatchObject({ notifier: "refused-hook", notification: n, attempts: 1 });
  });
});
