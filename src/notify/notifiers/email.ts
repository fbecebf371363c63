/**
 * The e-mail notifier: one plain-text mail per notification over SMTP
 * (nodemailer), a new connection per mail so a server that went away costs
 * no stale pool. The notification id becomes the Message-ID, so a mail
 * delivered twice is recognisably the same mail.
 *
 * SMTP answers in the 5xx range (mailbox unknown, authentication refused)
 * refuse the notification; anything else (connection refused, timeouts,
 * 4xx) is worth another try.
 */
import nodemailer from "nodemailer";
import type { AlarmNotification } from "../notification.js";
import { facts, headline } from "./format.js";
import { failed, refused, type Notifier } from "./notifier.js";

export interface EmailOptions {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly secure: boolean;
  readonly requireTls: boolean;
  readonly rejectUnauthorized: boolean;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly from: string;
  readonly to: readonly string[];
  readonly timeoutMs: number;
}

export function emailBody(n: AlarmNotification): string {
  const rows = facts(n);
  const width = Math.max(...rows.map(([label]) => label.length));
  return `${headline(n)}\n\n${rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join("\n")}\n`;
}

export function emailNotifier(o: EmailOptions): Notifier {
  const transport = nodemailer.createTransport({
    host: o.host,
    port: o.port,
    secure: o.secure,
    requireTLS: !o.secure && o.requireTls,
    tls: { rejectUnauthorized: o.rejectUnauthorized },
    auth: o.username === undefined ? undefined : { user: o.username, pass: o.password ?? "" },
    connectionTimeout: o.timeoutMs,
    greetingTimeout: o.timeoutMs,
    socketTimeout: o.timeoutMs,
  });
  return {
    name: o.name,
    async send(n: AlarmNotification) {
      try {
        await transport.sendMail({
          from: o.from,
          to: [...o.to],
          subject: `[Vigil] ${headline(n)}`,
          text: emailBody(n),
          messageId: `<${n.id}@vigil.notify>`,
          headers: { "X-Vigil-Notification-Id": n.id },
        });
      } catch (err) {
        const code = (err as { responseCode?: number }).responseCode;
        const what = `${o.name}: sending mail failed${code === undefined ? "" : ` (SMTP ${code})`}`;
        throw code !== undefined && code >= 500 ? refused(what, err) : failed(what, err);
      }
    },
    close: () => {
      transport.close();
      return Promise.resolve();
    },
  };
}
