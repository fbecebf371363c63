/**
 * The `notify` section: alarm notifiers, the routes that pick them by
 * severity, unit group and event, the retry policy and the outbox
 * (src/notify). Notifiers, routes and unit groups are lists and maps of
 * objects, so they are set in the config file only.
 *
 * Secrets (HMAC keys, the Slack URL, SMTP and MQTT passwords) are never
 * written here: a notifier names them (`secret: "WEBHOOK_KEY"`) and src/notify
 * looks the names up in the environment or in `secretsFile`.
 *
 * The severity and event lists mirror src/notify/notification.ts; config may
 * not import notify.
 */
import { z } from "zod";
import { durationMs, flag, oneOf, port, section, text, textMatching, wholeNumber } from "./fields.js";

const SEVERITIES = ["LOW", "MEDIUM", "HIGH", "CRITICAL"] as const;
const EVENTS = ["raised", "escalated", "cleared"] as const;

// A notifier's name is a directory name in the outbox and a metrics label.
const NAME = /^[A-Za-z0-9_-]{1,64}$/;
const NAME_RULE = "letters, digits, '-' or '_' only, at most 64 characters";
// An environment-variable-like name, so one name works in both the environment and the secrets file.
const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const SECRET_RULE = "the name of a secret (letters, digits and '_', not starting with a digit), looked up in the environment or the secrets file";
// A unit id or a pattern of one with '*' wildcards.
const UNIT_PATTERN = /^[A-Za-z0-9_*-]{1,64}$/;

const name = textMatching(NAME, NAME_RULE);
const secretName = textMatching(SECRET_NAME, SECRET_RULE);

function urlOf(protocols: readonly string[], example: string) {
  const error = `a URL such as ${example}`;
  return z.string({ error }).refine((s) => {
    try {
      const url = new URL(s);
      return protocols.includes(url.protocol) && url.hostname !== "";
    } catch {
      return false;
    }
  }, { error });
}

/** Per-notifier overrides of the section-wide delivery settings. */
const delivery = {
  /** Attempts in flight at once for this notifier. */
  concurrency: wholeNumber(1, 1000).optional(),
  /** One attempt's time limit. */
  timeoutMs: durationMs(1).optional(),
};

const webhookNotifier = z.strictObject({
  type: z.literal("webhook"),
  name,
  url: urlOf(["http:", "https:"], "https://host/alarms"),
  /** The HMAC-SHA256 key's secret name. */
  secret: secretName,
  ...delivery,
});

const slackNotifier = z.strictObject({
  type: z.literal("slack"),
  name,
  /** The incoming-webhook URL's secret name: the URL itself is the credential. */
  urlSecret: secretName,
  ...delivery,
});

const emailNotifier = z.strictObject({
  type: z.literal("email"),
  name,
  host: text(),
  port: port().default(587),
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  secure: flag().default(false),
  /** Refuse to send unless the server upgrades to TLS with STARTTLS. */
  requireTls: flag().default(true),
  /** Check the server's certificate (turn off only for a test server with a self-signed one). */
  rejectUnauthorized: flag().default(true),
  username: text().optional(),
  /** The SMTP password's secret name; needs `username`. */
  passwordSecret: secretName.optional(),
  from: text(),
  to: z.array(text(), { error: "a list of e-mail addresses" }).min(1, { error: "at least one recipient" }),
  ...delivery,
});

const mqttNotifier = z.strictObject({
  type: z.literal("mqtt"),
  name,
  url: urlOf(["mqtt:", "mqtts:", "tcp:", "ssl:", "ws:", "wss:"], "mqtt://host:1883"),
  clientId: textMatching(/^[A-Za-z0-9_-]{1,64}$/, NAME_RULE).optional(),
  username: text().optional(),
  passwordSecret: secretName.optional(),
  /** Placeholders: {unit}, {sensor}, {severity}, {event}, {rule}, {category}. */
  topic: textMatching(/^[^#+\s]+$/, "an MQTT topic template without wildcards or spaces").default("vigil/alarms/{unit}/{severity}"),
  qos: wholeNumber(0, 2).default(1),
  retain: flag().default(false),
  ...delivery,
});

export const notifierSchema = z.discriminatedUnion("type", [webhookNotifier, slackNotifier, emailNotifier, mqttNotifier], {
  error: 'a notifier with type "webhook", "slack", "email" or "mqtt"',
});

export const notifyRouteSchema = z.strictObject({
  name: name.optional(),
  /** Severities this route takes; all when left out. */
  severities: z.array(oneOf(SEVERITIES), { error: "a list of severities" }).min(1).optional(),
  /** Names of unit groups (`unitGroups`); any unit when left out. */
  unitGroups: z.array(name, { error: "a list of unit group names" }).min(1).optional(),
  /** Events this route takes; all when left out. */
  events: z.array(oneOf(EVENTS), { error: "a list of events (raised, escalated, cleared)" }).min(1).optional(),
  notifiers: z.array(name, { error: "a list of notifier names" }).min(1, { error: "at least one notifier name" }),
});

export const notifySchema = section({
  enabled: flag().describe("Send alarm notifications; nothing is sent until the config file lists notifiers and routes."),
  outboxDir: text().describe("Where undelivered notifications and dead letters wait; one node per directory."),
  secretsFile: z.string({ error: "a file path (empty: secrets from the environment only)" })
    .describe("A JSON object or `.env`-style file of secrets; empty: secrets from the environment only."),
  concurrency: wholeNumber(1, 1000).describe("Attempts in flight per notifier."),
  timeoutMs: durationMs(1).describe("Time limit of one attempt, so a peer that never answers cannot hold a slot."),
  maxPending: wholeNumber(1).describe("Items waiting per notifier; beyond it new items are dead-lettered at once (on disk, listed) rather than held."),
  retry: section({
    maxAttempts: wholeNumber(1).describe("Attempts before an item becomes a dead letter."),
    initialMs: durationMs(1).describe("Wait before the first retry; doubles per failure, with jitter."),
    maxMs: durationMs(1).describe("Longest wait between attempts."),
  }),
  signatureToleranceMs: durationMs(1).describe("Webhook receivers refuse signatures older than this (replay); sent so they need not guess."),
  notifiers: z.array(notifierSchema, { error: "a list of notifiers" })
    .describe("Notifiers `{type: \"webhook\" | \"slack\" | \"email\" | \"mqtt\", name, ...}` (README: Alarm notifications)."),
  routes: z.array(notifyRouteSchema, { error: "a list of routes" }).describe("Routes `{severities?, unitGroups?, events?, notifiers: [names]}`: which alarms go to which notifiers."),
  unitGroups: z
    .record(name, z.array(textMatching(UNIT_PATTERN, "unit ids or patterns with '*'")).min(1), {
      error: "a map of group name to unit ids or patterns",
    })
    .describe("Group name → unit ids or patterns with `*`, for routes."),
}).describe("Alarm notifications: notifiers, routes, retries, the outbox.").superRefine((n, ctx) => {
  const names = new Set<string>();
  for (const [i, notifier] of n.notifiers.entries()) {
    if (names.has(notifier.name)) ctx.addIssue({ code: "custom", path: ["notifiers", i, "name"], message: `a unique notifier name ("${notifier.name}" is used twice)` });
    names.add(notifier.name);
    if (notifier.type === "email" && notifier.passwordSecret !== undefined && notifier.username === undefined) {
      ctx.addIssue({ code: "custom", path: ["notifiers", i, "username"], message: "a username, since passwordSecret is set" });
    }
  }
  for (const [i, route] of n.routes.entries()) {
    for (const [j, ref] of route.notifiers.entries()) {
      if (!names.has(ref)) ctx.addIssue({ code: "custom", path: ["routes", i, "notifiers", j], message: `the name of a notifier in notify.notifiers ("${ref}" is not one)` });
    }
    for (const [j, group] of (route.unitGroups ?? []).entries()) {
      if (!Object.hasOwn(n.unitGroups, group)) ctx.addIssue({ code: "custom", path: ["routes", i, "unitGroups", j], message: `the name of a group in notify.unitGroups ("${group}" is not one)` });
    }
  }
  if (n.retry.maxMs < n.retry.initialMs) ctx.addIssue({ code: "custom", path: ["retry", "maxMs"], message: `a whole number of milliseconds >= initialMs (${n.retry.initialMs})` });
});

export type NotifyConfig = z.infer<typeof notifySchema>;
export type NotifierConfig = z.infer<typeof notifierSchema>;
export type NotifyRouteConfig = z.infer<typeof notifyRouteSchema>;
