/**
 * Builds the node's notification dispatcher from the `notify` config
 * section: resolves the notifiers' secrets (a missing one stops the start
 * with its name, never its value), opens each notifier's outbox — resuming
 * whatever a previous process left undelivered — and routes each dispatched
 * notification to the delivery queues of the notifiers its routes name.
 */
import { randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import type { Registry } from "prom-client";
import type { NotifierConfig, NotifyConfig } from "../config/index.js";
import { systemClock, type Clock } from "../runtime/clock.js";
import { lockDir } from "../runtime/dir-lock.js";
import { VigilError } from "../runtime/errors.js";
import type { Logger } from "../runtime/log.js";
import { DeliveryQueue } from "./delivery.js";
import { notifyLogger } from "./log.js";
import { NotifyMetrics } from "./metrics.js";
import type { AlarmNotification, DeadLetter, NotificationDispatcher } from "./notification.js";
import { emailNotifier } from "./notifiers/email.js";
import { mqttNotifier } from "./notifiers/mqtt.js";
import type { Notifier } from "./notifiers/notifier.js";
import { slackNotifier } from "./notifiers/slack.js";
import { webhookNotifier } from "./notifiers/webhook.js";
import { NotifierOutbox } from "./outbox.js";
import { Router } from "./routing.js";
import { Secrets } from "./secrets.js";

export interface NotifyDeps {
  readonly log: Logger;
  readonly registry?: Registry;
  /** Where secrets are looked up first; defaults to process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly clock?: Clock;
  /** Jitter source, in [0, 1). */
  readonly random?: () => number;
}

export async function createNotificationDispatcher(config: NotifyConfig, deps: NotifyDeps): Promise<NotificationDispatcher> {
  const log = notifyLogger(deps.log);
  if (!config.enabled) return disabledDispatcher();
  const clock = deps.clock ?? systemClock;
  const secrets = await Secrets.load(config.secretsFile, deps.env);
  // With no notifiers the outbox is never touched, so nodes left at the defaults can share a working directory.
  if (config.notifiers.length === 0) return disabledDispatcher();
  // One dispatcher per outbox: two would send every item twice and delete each other's files.
  await mkdir(config.outboxDir, { recursive: true });
  const lock = await lockDir(config.outboxDir, (path, owner) => new VigilError(
    "VIGIL_NOTIFY_OUTBOX_LOCKED",
    `notify: the outbox ${path} is held by pid ${owner.pid} on ${owner.host}; give each node its own notify.outboxDir`,
  ));
  const metrics = new NotifyMetrics(deps.registry);
  const queues = new Map<string, DeliveryQueue>();
  const outboxes: NotifierOutbox[] = [];
  const notifiers: Notifier[] = [];
  try {
    for (const nc of config.notifiers) {
      const notifier = buildNotifier(nc, secrets, clock, nc.timeoutMs ?? config.timeoutMs);
      notifiers.push(notifier);
      const { outbox, items, unreadable } = await NotifierOutbox.open(config.outboxDir, nc.name);
      outboxes.push(outbox);
      for (const file of unreadable) log.error({ notifier: nc.name, file }, "unreadable outbox item moved aside");
      if (items.length > 0) log.info({ notifier: nc.name, pending: items.length }, "resuming undelivered notifications");
      const options = { concurrency: nc.concurrency ?? config.concurrency, timeoutMs: nc.timeoutMs ?? config.timeoutMs, maxPending: config.maxPending, retry: config.retry };
      queues.set(nc.name, new DeliveryQueue(notifier, outbox, options, { log, metrics, secrets, clock, random: deps.random }, items));
    }
  } catch (err) {
    await Promise.allSettled([...queues.values()].map((q) => q.close()));
    await Promise.allSettled(notifiers.map((n) => n.close()));
    await lock.release();
    throw err;
  }
  const router = new Router(config);
  let closed = false;
  return {
    dispatch(notification: AlarmNotification): void {
      if (closed) return;
      try {
        for (const name of router.notifiersFor(notification)) queues.get(name)?.enqueue(notification);
      } catch (err) {
        // The contract: dispatch never throws into the alarm path. A malformed notification is logged and dropped.
        log.error({ notification: (notification as { id?: unknown }).id, err: secrets.scrub(String(err)) }, "notification not dispatched");
      }
    },
    pending: () => [...queues.values()].reduce((sum, q) => sum + q.pending, 0),
    async deadLetters(): Promise<readonly DeadLetter[]> {
      const all = (await Promise.all(outboxes.map((o) => o.deadLetters()))).flat();
      return all.sort((a, b) => a.deadAt - b.deadAt);
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await Promise.allSettled([...queues.values()].map((q) => q.close()));
      await Promise.allSettled(notifiers.map((n) => n.close()));
      await lock.release();
    },
  };
}

function buildNotifier(nc: NotifierConfig, secrets: Secrets, clock: Clock, timeoutMs: number): Notifier {
  const usedBy = `notify.notifiers ${nc.name}`;
  switch (nc.type) {
    case "webhook":
      return webhookNotifier({ name: nc.name, url: nc.url, key: secrets.get(nc.secret, usedBy), clock });
    case "slack":
      return slackNotifier({ name: nc.name, url: secrets.get(nc.urlSecret, usedBy) });
    case "email":
      return emailNotifier({
        name: nc.name,
        host: nc.host,
        port: nc.port,
        secure: nc.secure,
        requireTls: nc.requireTls,
        rejectUnauthorized: nc.rejectUnauthorized,
        username: nc.username,
        password: nc.passwordSecret === undefined ? undefined : secrets.get(nc.passwordSecret, usedBy),
        from: nc.from,
        to: nc.to,
        timeoutMs,
      });
    case "mqtt":
      return mqttNotifier({
        name: nc.name,
        url: nc.url,
        // Clean sessions, so a fresh id per process is fine and two nodes never kick each other off the broker.
        clientId: nc.clientId ?? `vigil-notify-${nc.name}`.slice(0, 55) + `-${randomBytes(4).toString("hex")}`,
        username: nc.username,
        password: nc.passwordSecret === undefined ? undefined : secrets.get(nc.passwordSecret, usedBy),
        topic: nc.topic,
        qos: nc.qos as 0 | 1 | 2,
        retain: nc.retain,
        timeoutMs,
      });
  }
}

/** notify.enabled false, or no notifiers: nothing to route to, nothing to keep. */
function disabledDispatcher(): NotificationDispatcher {
  return {
    dispatch: () => undefined,
    pending: () => 0,
    deadLetters: () => Promise.resolve([]),
    close: () => Promise.resolve(),
  };
}
