/**
 * The webhook notifier against a real HTTP receiver started by each test,
 * which checks the HMAC signature itself and dedupes by notification id.
 * Delivery is at least once with an id (the idempotency key): these specs
 * show every notification arrives, and arrives once per id at a receiver
 * that dedupes — not that the wire never carries a second copy.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { createNotificationDispatcher, type NotificationDispatcher } from "../../src/notify/index.js";
import { capturedLog, notification, notifyConfig, startReceiver, tempDir, until, type Receiver } from "./peers.js";

const KEY = "whk-5f1c2e9a7b3d4c8e";
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setUp(fields: Record<string, unknown> = {}): Promise<{ receiver: Receiver; dispatcher: NotificationDispatcher; registry: Registry; dir: string; lines: string[] }> {
  const receiver = await startReceiver(KEY);
  cleanups.push(() => receiver.down());
  const { dir, remove } = await tempDir();
  cleanups.push(remove);
  const registry = new Registry();
  const { log, lines } = capturedLog();
  const config = notifyConfig(dir, {
    notifiers: [{ type: "webhook", name: "ops-hook", url: receiver.url, secret: "WEBHOOK_KEY" }],
    routes: [{ notifiers: ["ops-hook"] }],
    ...fields,
  });
  const dispatcher = await createNotificationDispatcher(config, { log, registry, env: { WEBHOOK_KEY: KEY } });
  cleanups.push(() => dispatcher.close());
  return { receiver, dispatcher, registry, dir, lines };
}

/** V8's full collection, without starting the test runner with --expose-gc. */
function garbageCollector(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

async function metric(registry: Registry, name: string): Promise<number> {
  const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name);
  return (m?.values ?? []).reduce((sum, v) => sum + v.value, 0);
}

describe("webhook notifier", () => {
  it("posts the notification as JSON with a valid HMAC-SHA256 signature over timestamp and body", async () => {
    const { receiver, dispatcher } = await setUp();
    const n = notification();
    dispatcher.dispatch(n);
    await until(() => receiver.accepted.size === 1, "the notification accepted");
    const got = receiver.accepted.get(n.id);
    expect(got?.signatureValid).toBe(true);
    expect(JSON.parse(got?.body ?? "")).toEqual(n);
    expect(got?.headers["content-type"]).toBe("application/json");
    await until(() => dispatcher.pending() === 0, "nothing pending");
  });

  it("retries while the receiver answers 500 and delivers once it recovers, once per id", async () => {
    const { receiver, dispatcher, registry } = await setUp();
    receiver.mode = "fail";
    const sent = [notification(), notification(), notification()];
    for (const n of sent) dispatcher.dispatch(n);
    await until(() => receiver.requests.length >= 9, "several failed attempts");
    expect(receiver.accepted.size).toBe(0);
    expect(dispatcher.pending()).toBe(3);
    receiver.mode = "ok";
    await until(() => receiver.accepted.size === 3, "all three accepted");
    expect([...receiver.accepted.keys()].sort()).toEqual(sent.map((n) => n.id).sort());
    await until(() => dispatcher.pending() === 0, "nothing pending");
    expect(await metric(registry, "vigil_notify_failed_attempts_total")).toBeGreaterThanOrEqual(9);
    expect(await metric(registry, "vigil_notify_retries_total")).toBeGreaterThanOrEqual(9);
    expect(await metric(registry, "vigil_notify_sent_total")).toBe(3);
    expect(await dispatcher.deadLetters()).toEqual([]);
  });

  it("keeps notifications while the receiver is down and delivers them when it is back", async () => {
    const { receiver, dispatcher, registry } = await setUp();
    await receiver.down();
    const n = notification();
    dispatcher.dispatch(n);
    await until(async () => (await metric(registry, "vigil_notify_failed_attempts_total")) >= 3, "attempts against a closed port");
    expect(await metric(registry, "vigil_notify_pending")).toBe(1);
    await receiver.up();
    await until(() => receiver.accepted.has(n.id), "delivered after the receiver came back");
    await until(async () => (await metric(registry, "vigil_notify_pending")) === 0, "pending gauge back to 0");
  });

  it("dispatch returns at once while the receiver never answers, and a timed-out attempt is retried", async () => {
    const { receiver, dispatcher, registry } = await setUp({ timeoutMs: 300, concurrency: 2 });
    receiver.mode = "hang";
    dispatcher.dispatch(notification());
    dispatcher.dispatch(notification());
    await until(() => receiver.hanging === 2, "both concurrency slots held by the hung receiver");
    // With every slot stuck on the peer, dispatch still returns synchronously: the items are queued, not sent.
    for (let i = 0; i < 200; i++) dispatcher.dispatch(notification());
    expect(dispatcher.pending()).toBe(202);
    expect(receiver.hanging).toBe(2); // bounded concurrency: never more than 2 in flight
    await until(async () => (await metric(registry, "vigil_notify_failed_attempts_total")) >= 2, "attempts timed out");
    receiver.mode = "ok";
    await until(() => receiver.accepted.size === 202, "all delivered after the receiver answers again", 60_000);
    await until(() => dispatcher.pending() === 0, "nothing pending");
  });

  it("times out a hung attempt even when garbage is collected while it waits", async () => {
    const { receiver, dispatcher, registry } = await setUp({ timeoutMs: 200, concurrency: 1 });
    receiver.mode = "hang";
    dispatcher.dispatch(notification());
    await until(() => receiver.hanging === 1, "the attempt held by the hung receiver");
    const collect = garbageCollector();
    await until(async () => {
      collect();
      return (await metric(registry, "vigil_notify_failed_attempts_total")) >= 1;
    }, "the attempt timed out", 5_000);
  });

  it("dead-letters a notification after its last try and lists it", async () => {
    const { receiver, dispatcher, registry } = await setUp({ retry: { maxAttempts: 3, initialMs: 10, maxMs: 20 } });
    receiver.mode = "fail";
    const n = notification();
    dispatcher.dispatch(n);
    await until(async () => (await dispatcher.deadLetters()).length === 1, "a dead letter");
    const [letter] = await dispatcher.deadLetters();
    expect(letter).toMatchObject({ notifier: "ops-hook", notification: n, attempts: 3 });
    expect(letter?.lastError).toContain("answered 500");
    expect(receiver.requests.length).toBe(3);
    expect(dispatcher.pending()).toBe(0);
    expect(await metric(registry, "vigil_notify_dead_letters_total")).toBe(1);
  });

  it("dead-letters at once a notification the receiver refuses (4xx), without retrying", async () => {
    const { receiver, dispatcher } = await setUp();
    receiver.mode = "refuse";
    dispatcher.dispatch(notification());
    await until(async () => (await dispatcher.deadLetters()).length === 1, "a dead letter");
    expect(receiver.requests.length).toBe(1);
    expect((await dispatcher.deadLetters())[0]?.lastError).toContain("answered 401");
  });

  it("is refused by a receiver when the key differs", async () => {
    const receiver = await startReceiver("another-key");
    cleanups.push(() => receiver.down());
    const { dir, remove } = await tempDir();
    cleanups.push(remove);
    const config = notifyConfig(dir, {
      notifiers: [{ type: "webhook", name: "ops-hook", url: receiver.url, secret: "WEBHOOK_KEY" }],
      routes: [{ notifiers: ["ops-hook"] }],
    });
    const dispatcher = await createNotificationDispatcher(config, { log: capturedLog().log, env: { WEBHOOK_KEY: KEY } });
    cleanups.push(() => dispatcher.close());
    dispatcher.dispatch(notification());
    await until(async () => (await dispatcher.deadLetters()).length === 1, "refused and dead-lettered");
    expect(receiver.requests[0]?.signatureValid).toBe(false);
    expect(receiver.accepted.size).toBe(0);
  });
});
