/**
 * src/notify — alarm notifications: routing by severity, unit group and
 * event to notifiers (signed webhook, Slack-compatible webhook, email over
 * SMTP, MQTT publish-back), through a durable on-disk outbox with retries and
 * dead letters, so a notifier that is down never blocks the pipeline and
 * nothing is lost.
 *
 * Must not depend on the actor runtime's system or transport, nor on actors:
 * the node hands it notifications (src/node/start.ts), so it runs and is
 * tested on its own.
 */
export { ALARM_SEVERITIES, NOTIFICATION_EVENTS } from "./notification.js";
export type { AlarmNotification, AlarmSeverity, DeadLetter, NotificationDispatcher, NotificationEvent } from "./notification.js";
export { createNotificationDispatcher } from "./dispatcher.js";
export type { NotifyDeps } from "./dispatcher.js";
export { signWebhook, verifyWebhookSignature, ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER } from "./notifiers/signature.js";
export type { WebhookToVerify } from "./notifiers/signature.js";
export { inspectOutbox } from "./outbox.js";
export type { OutboxSummary } from "./outbox.js";
