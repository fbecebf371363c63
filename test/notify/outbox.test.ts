/**
 * The outbox outlives the process: what one dispatcher could not deliver,
 * the next one (same outbox directory) delivers; dead letters stay listed
 * across restarts; an unreadable item is moved aside instead of blocking.
 */
import { spawn } from "node:child_process";
import { readdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { createNotificationDispatcher } from "../../src/notify/index.js";
import { isVigilError } from "../../src/runtime/errors.js";
import { capturedLog, notification, notifyConfig, startReceiver, tempDir, until, type Receiver } from "./peers.js";

const KEY = "crash-spec-key";
const ROOT = resolve(fileURLToPath(import.meta.url), "../../..");
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function peerAndDir(): Promise<{ receiver: Receiver; dir: string }> {
  const receiver = await startReceiver(KEY);
  cleanups.push(() => receiver.down());
  const { dir, remove } = await tempDir();
  cleanups.push(remove);
  return { receiver, dir };
}

function start(dir: string, url: string, retry = { maxAttempts: 50, initialMs: 20, maxMs: 200 }) {
  const config = notifyConfig(dir, {
    retry,
    notifiers: [{ type: "webhook", name: "ops-hook", url, secret: "WEBHOOK_KEY" }],
    routes: [{ notifiers: ["ops-hook"] }],
  });
  const { log, lines } = capturedLog();
  return { lines, dispatcher: createNotificationDispatcher(config, { log, env: { WEBHOOK_KEY: KEY } }) };
}

describe("notification outbox", () => {
  it("a restarted dispatcher delivers what the previous one left undelivered", async () => {
    const { receiver, dir } = await peerAndDir();
    await receiver.down();
    const first = await start(dir, receiver.url).dispatcher;
    const sent = [notification(), notification(), notification({ event: "cleared" })];
    for (const n of sent) first.dispatch(n);
    await until(async () => (await readdir(join(dir, "ops-hook", "pending"))).length === 3, "three items on disk");
    await first.close();

    await receiver.up();
    const { dispatcher: second, lines } = start(dir, receiver.url);
    const resumed = await second;
    cleanups.push(() => resumed.close());
    expect(resumed.pending()).toBe(3);
    await until(() => receiver.accepted.size === 3, "all three delivered by the second dispatcher");
    expect([...receiver.accepted.keys()].sort()).toEqual(sent.map((n) => n.id).sort());
    await until(async () => (await readdir(join(dir, "ops-hook", "pending"))).length === 0, "the outbox emptied");
    expect(lines.some((l) => l.includes("resuming undelivered notifications"))).toBe(true);
  });

  it("new notifications after a restart never overwrite the items left behind", async () => {
    const { receiver, dir } = await peerAndDir();
    await receiver.down();
    const first = await start(dir, receiver.url).dispatcher;
    const old = notification();
    first.dispatch(old);
    await until(async () => (await readdir(join(dir, "ops-hook", "pending"))).length === 1, "the item on disk");
    await first.close();

    const second = await start(dir, receiver.url).dispatcher;
    cleanups.push(() => second.close());
    const fresh = notification();
    second.dispatch(fresh);
    await until(async () => (await readdir(join(dir, "ops-hook", "pending"))).length === 2, "both items on disk");
    await receiver.up();
    await until(() => receiver.accepted.size === 2, "both delivered");
    expect(receiver.accepted.has(old.id) && receiver.accepted.has(fresh.id)).toBe(true);
  });

  it("dead letters stay listed after a restart", async () => {
    const { receiver, dir } = await peerAndDir();
    receiver.mode = "fail";
    const first = await start(dir, receiver.url, { maxAttempts: 2, initialMs: 10, maxMs: 10 }).dispatcher;
    const n = notification();
    first.dispatch(n);
    await until(async () => (await first.deadLetters()).length === 1, "dead-lettered");
    await first.close();
    const second = await start(dir, receiver.url).dispatcher;
    cleanups.push(() => second.close());
    expect((await second.deadLetters()).map((d) => d.notification.id)).toEqual([n.id]);
    expect(second.pending()).toBe(0);
  });

  it("moves an unreadable item aside and delivers the rest", async () => {
    const { receiver, dir } = await peerAndDir();
    await receiver.down();
    const first = await start(dir, receiver.url).dispatcher;
    const n = notification();
    first.dispatch(n);
    await until(async () => (await readdir(join(dir, "ops-hook", "pending"))).length === 1, "the item on disk");
    await first.close();
    await writeFile(join(dir, "ops-hook", "pending", "0000000000000007.json"), "{ not json");
    await receiver.up();
    const { dispatcher, lines } = start(dir, receiver.url);
    const second = await dispatcher;
    cleanups.push(() => second.close());
    await until(() => receiver.accepted.has(n.id), "the readable item delivered");
    // The delivered item's file goes once the receiver has answered; the unreadable one stays, aside.
    await until(async () => (await readdir(join(dir, "ops-hook", "pending"))).join() === "0000000000000007.json.bad", "only the bad file left");
    expect(lines.some((l) => l.includes("unreadable outbox item moved aside"))).toBe(true);
  });
});

describe("notification outbox ownership", () => {
  it("refuses a second dispatcher on an outbox while the first holds it, and allows it once the first closed", async () => {
    const { receiver, dir } = await peerAndDir();
    const first = await start(dir, receiver.url).dispatcher;
    const err = await start(dir, receiver.url).dispatcher.then(() => undefined, (e: unknown) => e);
    expect(isVigilError(err, "VIGIL_NOTIFY_OUTBOX_LOCKED")).toBe(true);
    await first.close();
    const second = await start(dir, receiver.url).dispatcher;
    await second.close();
  });
});

describe("notification outbox bound", () => {
  it("beyond maxPending for a notifier, new notifications go to the dead letters instead of memory", async () => {
    const { receiver, dir } = await peerAndDir();
    receiver.mode = "hang";
    const config = notifyConfig(dir, {
      maxPending: 3,
      notifiers: [{ type: "webhook", name: "ops-hook", url: receiver.url, secret: "WEBHOOK_KEY" }],
      routes: [{ notifiers: ["ops-hook"] }],
    });
    const { log, lines } = capturedLog();
    const dispatcher = await createNotificationDispatcher(config, { log, env: { WEBHOOK_KEY: KEY } });
    cleanups.push(() => dispatcher.close());
    const sent = [notification(), notification(), notification(), notification(), notification()];
    for (const n of sent) dispatcher.dispatch(n);
    expect(dispatcher.pending()).toBe(3);
    await until(async () => (await dispatcher.deadLetters()).length === 2, "the two over the bound dead-lettered");
    const letters = await dispatcher.deadLetters();
    expect(letters.map((d) => d.notification.id).sort()).toEqual([sent[3]?.id, sent[4]?.id].sort());
    expect(letters[0]).toMatchObject({ attempts: 0, firstAttemptAt: null });
    expect(letters[0]?.lastError).toContain("outbox full");
    expect(lines.filter((l) => l.includes("notification outbox full")).length).toBe(1);
  });
});

describe("notification outbox across a crash", () => {
  it("a process killed with undelivered notifications on disk loses none of them", async () => {
    const { receiver, dir } = await peerAndDir();
    await receiver.down();
    const count = 50;
    const child = spawn(process.execPath, ["--import", "tsx", "test/fixtures/notify-dispatch-forever.ts", dir, receiver.url, String(count), "crash"], { cwd: ROOT, stdio: "ignore" });
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    cleanups.push(async () => {
      child.kill("SIGKILL");
      await exited;
    });
    // A file under its final name is durable (written, fsynced, renamed): once all are there, nothing may be lost.
    await until(async () => (await readdir(join(dir, "ops-hook", "pending")).catch(() => [])).filter((n) => n.endsWith(".json")).length === count, "every item durable", 60_000);
    child.kill("SIGKILL");
    await exited;

    await receiver.up();
    const next = await start(dir, receiver.url, { maxAttempts: 50, initialMs: 20, maxMs: 200 }).dispatcher;
    cleanups.push(() => next.close());
    await until(() => receiver.accepted.size === count, "every notification delivered by the next process");
    expect([...receiver.accepted.keys()].sort()).toEqual(Array.from({ length: count }, (_, i) => `crash-${i}`).sort());
  });
});
