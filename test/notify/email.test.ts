/**
 * The e-mail notifier against a real SMTP server (the `smtp-server`
 * package) started by each test, with STARTTLS (its built-in self-signed
 * certificate, hence rejectUnauthorized: false) and password authentication.
 */
import type { AddressInfo } from "node:net";
import { Registry } from "prom-client";
import { SMTPServer } from "smtp-server";
import { afterEach, describe, expect, it } from "vitest";
import { createNotificationDispatcher, type NotificationDispatcher } from "../../src/notify/index.js";
import { capturedLog, notification, notifyConfig, tempDir, until } from "./peers.js";

const PASSWORD = "smtp-secret-4b8d";
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Mail {
  readonly from: string;
  readonly to: string[];
  readonly user: unknown;
  readonly secure: boolean;
  readonly raw: string;
}

interface SmtpPeer {
  readonly port: number;
  readonly mails: Mail[];
  /** Answer 550 to every recipient. */
  refuseRecipients: boolean;
  down(): Promise<void>;
  up(): Promise<void>;
}

async function startSmtp(): Promise<SmtpPeer> {
  let server: SMTPServer;
  let port = 0;
  const peer: SmtpPeer = {
    port: 0,
    mails: [],
    refuseRecipients: false,
    down: () => new Promise<void>((resolve) => server.close(() => resolve())),
    up: () => listen(),
  };
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = new SMTPServer({
        authMethods: ["PLAIN", "LOGIN"],
        logger: false,
        onAuth(auth, _session, cb) {
          if (auth.username === "ops" && auth.password === PASSWORD) cb(null, { user: "ops" });
          else cb(new Error("Invalid username or password"));
        },
        onRcptTo(_address, _session, cb) {
          if (peer.refuseRecipients) cb(Object.assign(new Error("mailbox unavailable"), { responseCode: 550 }));
          else cb();
        },
        onData(stream, session, cb) {
          const chunks: Buffer[] = [];
          stream.on("data", (c: Buffer) => chunks.push(c));
          stream.on("end", () => {
            const from = session.envelope.mailFrom === false ? "" : session.envelope.mailFrom.address;
            peer.mails.push({ from, to: session.envelope.rcptTo.map((r) => r.address), user: session.user, secure: session.secure, raw: Buffer.concat(chunks).toString("utf8") });
            cb();
          });
        },
      });
      server.on("error", () => undefined);
      server.listen(port, "127.0.0.1", () => {
        port = (server.server.address() as AddressInfo).port;
        (peer as { port: number }).port = port;
        resolve();
      });
      server.server.once("error", reject);
    });
  await listen();
  return peer;
}

async function rig(peer: SmtpPeer, extra: Record<string, unknown> = {}, password = PASSWORD, registry?: Registry): Promise<NotificationDispatcher> {
  const { dir, remove } = await tempDir();
  cleanups.push(remove);
  const config = notifyConfig(dir, {
    notifiers: [{
      type: "email", name: "ops-mail", host: "127.0.0.1", port: peer.port, requireTls: true, rejectUnauthorized: false,
      username: "ops", passwordSecret: "SMTP_PASSWORD", from: "vigil@plant.example", to: ["ops@plant.example", "oncall@plant.example"], ...extra,
    }],
    routes: [{ notifiers: ["ops-mail"] }],
    retry: { maxAttempts: 50, initialMs: 50, maxMs: 300 },
  });
  const dispatcher = await createNotificationDispatcher(config, { log: capturedLog().log, registry, env: { SMTP_PASSWORD: password } });
  cleanups.push(() => dispatcher.close());
  return dispatcher;
}

/** The Subject header, unfolded and its RFC 2047 Q-encoded words decoded. */
function subjectOf(raw: string): string {
  const header = /^Subject: (.*(?:\r?\n[ \t].*)*)/m.exec(raw)?.[1] ?? "";
  return header
    .replace(/\r?\n[ \t]/g, "")
    .replace(/=\?UTF-8\?Q\?(.*?)\?=/gi, (_, q: string) => {
      const bytes = q.replace(/_/g, " ").replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
      return Buffer.from(bytes, "latin1").toString("utf8");
    });
}

async function smtpPeer(): Promise<SmtpPeer> {
  const peer = await startSmtp();
  cleanups.push(() => peer.down());
  return peer;
}

describe("e-mail notifier", () => {
  it("sends one mail over STARTTLS, authenticated, to every recipient, with the notification id as Message-ID", async () => {
    const peer = await smtpPeer();
    const dispatcher = await rig(peer);
    const n = notification({ unit: "UNIT003" });
    dispatcher.dispatch(n);
    await until(() => peer.mails.length === 1, "one mail");
    const [mail] = peer.mails;
    expect(mail).toMatchObject({ from: "vigil@plant.example", to: ["ops@plant.example", "oncall@plant.example"], user: "ops", secure: true });
    expect(subjectOf(mail?.raw ?? "")).toBe("[Vigil] CRITICAL alarm raised on UNIT003 temperature: High temperature alert: 92.5°C");
    expect(mail?.raw).toContain(`Message-ID: <${n.id}@vigil.notify>`);
    expect(mail?.raw).toMatch(/Value\s+92\.5/);
    await until(() => dispatcher.pending() === 0, "nothing pending");
  });

  it("retries while the SMTP server is down and sends once it is back", async () => {
    const peer = await smtpPeer();
    await peer.down();
    const registry = new Registry();
    const dispatcher = await rig(peer, {}, PASSWORD, registry);
    const n = notification();
    dispatcher.dispatch(n);
    const failedAttempts = async () => (await registry.getSingleMetric("vigil_notify_failed_attempts_total")?.get())?.values[0]?.value ?? 0;
    await until(async () => (await failedAttempts()) >= 2, "attempts against the closed port");
    expect(dispatcher.pending()).toBe(1);
    await peer.up();
    await until(() => peer.mails.length === 1, "the mail after the server came back");
    expect(peer.mails[0]?.raw).toContain(n.id);
  });

  it("dead-letters at once a mail the server refuses (550)", async () => {
    const peer = await smtpPeer();
    peer.refuseRecipients = true;
    const dispatcher = await rig(peer);
    dispatcher.dispatch(notification());
    await until(async () => (await dispatcher.deadLetters()).length === 1, "a dead letter");
    expect((await dispatcher.deadLetters())[0]).toMatchObject({ notifier: "ops-mail", attempts: 1 });
    expect(peer.mails).toEqual([]);
  });

  it("dead-letters a mail whose login the server refuses, without the password in the record", async () => {
    const peer = await smtpPeer();
    const dispatcher = await rig(peer, {}, "wrong-password-77");
    dispatcher.dispatch(notification());
    await until(async () => (await dispatcher.deadLetters()).length === 1, "a dead letter");
    const letter = (await dispatcher.deadLetters())[0];
    expect(letter?.lastError).toContain("SMTP 535");
    expect(JSON.stringify(letter)).not.toContain("wrong-password-77");
  });
});
