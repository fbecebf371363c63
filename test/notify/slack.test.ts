/**
 * The Slack-compatible notifier against a real HTTP receiver: an
 * incoming-webhook message with the severity's colour and emoji, the unit,
 * sensor and value as fields, and nothing that could become a link.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createNotificationDispatcher } from "../../src/notify/index.js";
import { capturedLog, notification, notifyConfig, startReceiver, tempDir, until } from "./peers.js";

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface SlackMessage {
  text: string;
  unfurl_links: boolean;
  attachments: { color: string; fields: { title: string; value: string }[] }[];
}

async function slackRig() {
  const receiver = await startReceiver();
  cleanups.push(() => receiver.down());
  const { dir, remove } = await tempDir();
  cleanups.push(remove);
  const config = notifyConfig(dir, { notifiers: [{ type: "slack", name: "ops-slack", urlSecret: "SLACK_URL" }], routes: [{ notifiers: ["ops-slack"] }] });
  const dispatcher = await createNotificationDispatcher(config, { log: capturedLog().log, env: { SLACK_URL: `${receiver.url}/T01/B02/abc` } });
  cleanups.push(() => dispatcher.close());
  const messages = () => [...receiver.accepted.values()].map((r) => JSON.parse(r.body) as SlackMessage);
  return { receiver, dispatcher, messages };
}

describe("Slack notifier", () => {
  it("posts a message with the severity colour and emoji, unit, sensor and value", async () => {
    const { dispatcher, messages } = await slackRig();
    dispatcher.dispatch(notification({ severity: "CRITICAL", unit: "UNIT004" }));
    await until(() => messages().length === 1, "one message");
    const [m] = messages();
    expect(m?.text).toBe(":fire: CRITICAL alarm raised on UNIT004 temperature: High temperature alert: 92.5°C");
    expect(m?.unfurl_links).toBe(false);
    expect(m?.attachments[0]?.color).toBe("#D40E0D");
    const fields = Object.fromEntries((m?.attachments[0]?.fields ?? []).map((f) => [f.title, f.value]));
    expect(fields).toMatchObject({ Unit: "UNIT004", Sensor: "temperature", Value: "92.5", Severity: "CRITICAL" });
  });

  it("marks a cleared alarm green with a check mark", async () => {
    const { dispatcher, messages } = await slackRig();
    dispatcher.dispatch(notification({ event: "cleared", severity: "HIGH" }));
    await until(() => messages().length === 1, "one message");
    expect(messages()[0]?.text.startsWith(":white_check_mark: HIGH alarm cleared on UNIT001")).toBe(true);
    expect(messages()[0]?.attachments[0]?.color).toBe("#2EB67D");
  });

  it("escapes an alarm message so it cannot carry a link or a mention", async () => {
    const { dispatcher, messages } = await slackRig();
    const n = notification();
    dispatcher.dispatch({ ...n, alarm: { ...n.alarm, message: "see <https://evil.example|here> <!channel> & more" } });
    await until(() => messages().length === 1, "one message");
    expect(messages()[0]?.text).toContain("see &lt;https://evil.example|here&gt; &lt;!channel&gt; &amp; more");
    expect(messages()[0]?.text).not.toContain("<");
  });

  it("retries while the Slack endpoint fails and delivers the message once it recovers", async () => {
    const { receiver, dispatcher, messages } = await slackRig();
    receiver.mode = "fail";
    dispatcher.dispatch(notification());
    await until(() => receiver.requests.length >= 3, "failed attempts");
    receiver.mode = "ok";
    await until(() => messages().length === 1, "delivered");
    await until(() => dispatcher.pending() === 0, "nothing pending");
  });
});
