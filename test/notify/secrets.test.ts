/**
 * Secrets are named in config and looked up in the environment or a secrets
 * file (JSON or `.env`); their values never show in a log line or a dead
 * letter, even when a peer fails in ways whose error messages quote what the
 * client was given.
 */
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createNotificationDispatcher } from "../../src/notify/index.js";
import { notifyLogger } from "../../src/notify/log.js";
import { Secrets } from "../../src/notify/secrets.js";
import { isVigilError } from "../../src/runtime/errors.js";
import { capturedLog, notification, notifyConfig, startReceiver, tempDir, until } from "./peers.js";

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function dir(): Promise<string> {
  const t = await tempDir();
  cleanups.push(t.remove);
  return t.dir;
}

describe("notification secrets", () => {
  it("reads a JSON secrets file", async () => {
    const file = join(await dir(), "secrets.json");
    await writeFile(file, JSON.stringify({ WEBHOOK_KEY: "from-json" }));
    expect((await Secrets.load(file, {})).get("WEBHOOK_KEY", "spec")).toBe("from-json");
  });

  it("reads a .env-style secrets file with comments, export and quotes", async () => {
    const file = join(await dir(), "secrets.env");
    await writeFile(file, '# notifier secrets\nexport WEBHOOK_KEY=plain=value\nSLACK_URL="https://hooks.example/T0/B0/x"\nSMTP_PASSWORD=\'p w\'\n');
    const secrets = await Secrets.load(file, {});
    expect(secrets.get("WEBHOOK_KEY", "spec")).toBe("plain=value");
    expect(secrets.get("SLACK_URL", "spec")).toBe("https://hooks.example/T0/B0/x");
    expect(secrets.get("SMTP_PASSWORD", "spec")).toBe("p w");
  });

  it("lets the environment override the file", async () => {
    const file = join(await dir(), "secrets.json");
    await writeFile(file, JSON.stringify({ WEBHOOK_KEY: "from-file" }));
    expect((await Secrets.load(file, { WEBHOOK_KEY: "from-env" })).get("WEBHOOK_KEY", "spec")).toBe("from-env");
  });

  it("stops the start naming a missing secret and where it was looked for", async () => {
    const receiver = await startReceiver("k");
    cleanups.push(() => receiver.down());
    const config = notifyConfig(await dir(), {
      notifiers: [{ type: "webhook", name: "ops-hook", url: receiver.url, secret: "WEBHOOK_KEY" }],
      routes: [{ notifiers: ["ops-hook"] }],
    });
    const err: unknown = await createNotificationDispatcher(config, { log: capturedLog().log, env: {} }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isVigilError(err, "VIGIL_NOTIFY_SECRET_MISSING")).toBe(true);
    expect((err as Error).message).toBe("notify.notifiers ops-hook: secret WEBHOOK_KEY is not set in the environment (no notify.secretsFile is set)");
  });

  it("never quotes a malformed secrets file line in its error", async () => {
    const file = join(await dir(), "secrets.env");
    await writeFile(file, "WEBHOOK_KEY=fine\nthis-line-is-a-leaked-secret\n");
    const err = await Secrets.load(file, {}).then(() => undefined, (e: unknown) => e as Error);
    expect(err?.message).toContain("line 2 is not NAME=value");
    expect(err?.message).not.toContain("leaked-secret");
  });

  it("never writes a secret value to the log or a dead letter, while every notifier fails", async () => {
    const outbox = await dir();
    const hook = await startReceiver("some-other-key"); // refuses the signature: a 401 whose details get logged
    cleanups.push(() => hook.down());
    const slack = await startReceiver();
    slack.mode = "fail";
    cleanups.push(() => slack.down());
    const secrets = {
      WEBHOOK_KEY: "hmac-key-7d1e0c55aa",
      SLACK_URL: `${slack.url}/T000/B000/slack-token-91f3`,
      SMTP_PASSWORD: "smtp-pass-c4e2a9",
      MQTT_PASSWORD: "mqtt-pass-58b0d1",
    };
    const secretsFile = join(outbox, "secrets.json");
    await writeFile(secretsFile, JSON.stringify(secrets));
    const config = notifyConfig(join(outbox, "box"), {
      secretsFile,
      retry: { maxAttempts: 2, initialMs: 10, maxMs: 10 },
      timeoutMs: 500,
      notifiers: [
        { type: "webhook", name: "hook", url: hook.url, secret: "WEBHOOK_KEY" },
        { type: "slack", name: "slack", urlSecret: "SLACK_URL" },
        // Nothing listens on port 1: connection refused.
        { type: "email", name: "mail", host: "127.0.0.1", port: 1, username: "ops", passwordSecret: "SMTP_PASSWORD", from: "vigil@plant.example", to: ["ops@plant.example"] },
        { type: "mqtt", name: "mqtt", url: "mqtt://127.0.0.1:1", username: "vigil", passwordSecret: "MQTT_PASSWORD" },
      ],
      routes: [{ notifiers: ["hook", "slack", "mail", "mqtt"] }],
    });
    const { log, lines } = capturedLog();
    const dispatcher = await createNotificationDispatcher(config, { log, env: {} });
    cleanups.push(() => dispatcher.close());
    dispatcher.dispatch(notification());
    await until(async () => (await dispatcher.deadLetters()).length === 4, "every notifier dead-lettered it");
    const text = lines.join("") + JSON.stringify(await dispatcher.deadLetters());
    expect(lines.length).toBeGreaterThan(4);
    for (const value of Object.values(secrets)) expect(text).not.toContain(value);
    const deadFiles = await readdir(join(outbox, "box", "slack", "dead"));
    const deadText = await readFile(join(outbox, "box", "slack", "dead", deadFiles[0] ?? ""), "utf8");
    expect(deadText).not.toContain(secrets.SLACK_URL);
  });

  it("censors the keys secrets live under if an object holding one is ever logged", () => {
    const { log, lines } = capturedLog();
    notifyLogger(log).warn({ notifier: { name: "mail", password: "pw-1", auth: { user: "ops", pass: "pw-2" } }, secret: "pw-3", headers: { authorization: "pw-4" } }, "config");
    const line = lines.join("");
    for (const value of ["pw-1", "pw-2", "pw-3", "pw-4"]) expect(line).not.toContain(value);
    expect(line).toContain('"name":"mail"');
  });
});
