/**
 * The Slack-compatible notifier: an incoming-webhook message (Slack, and the
 * many chat tools that accept its format) with the severity as colour and
 * emoji and the unit, sensor and value as fields.
 *
 * Link-free: the text is escaped as Slack asks (&, <, >), so nothing in an
 * alarm message can become a link or a mention, and unfurling is off.
 */
import type { AlarmNotification } from "../notification.js";
import { CLEARED_COLOUR, CLEARED_EMOJI, facts, headline, SEVERITY_COLOURS, SEVERITY_EMOJI } from "./format.js";
import { postJson } from "./http-post.js";
import type { Notifier } from "./notifier.js";

/** Slack's control characters; everything else is literal text in mrkdwn. */
export function slackEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function slackMessage(n: AlarmNotification): Record<string, unknown> {
  const cleared = n.event === "cleared";
  const emoji = cleared ? CLEARED_EMOJI : SEVERITY_EMOJI[n.alarm.severity];
  const text = `${emoji} ${slackEscape(headline(n))}`;
  return {
    text,
    unfurl_links: false,
    unfurl_media: false,
    attachments: [
      {
        color: cleared ? CLEARED_COLOUR : SEVERITY_COLOURS[n.alarm.severity],
        fallback: text,
        fields: facts(n).map(([title, value]) => ({ title, value: slackEscape(value), short: true })),
        ts: Math.floor(n.at / 1000),
      },
    ],
  };
}

export function slackNotifier(o: { readonly name: string; readonly url: string }): Notifier {
  return {
    name: o.name,
    send: (n, signal) => postJson(o.name, o.url, JSON.stringify(slackMessage(n)), {}, signal),
    close: () => Promise.resolve(),
  };
}
