/**
 * The webhook notifier: POSTs the notification as JSON, signed (see
 * signature.ts), with its id in `x-vigil-notification-id` so a receiver can
 * dedupe without parsing the body.
 */
import type { Clock } from "../../runtime/clock.js";
import type { AlarmNotification } from "../notification.js";
import { postJson } from "./http-post.js";
import type { Notifier } from "./notifier.js";
import { ID_HEADER, SIGNATURE_HEADER, signWebhook, TIMESTAMP_HEADER } from "./signature.js";

export interface WebhookOptions {
  readonly name: string;
  readonly url: string;
  readonly key: string;
  readonly clock: Clock;
}

export function webhookNotifier(o: WebhookOptions): Notifier {
  return {
    name: o.name,
    async send(n: AlarmNotification, signal: AbortSignal) {
      const body = JSON.stringify(n);
      const timestamp = o.clock.now();
      await postJson(o.name, o.url, body, {
        [ID_HEADER]: n.id,
        [TIMESTAMP_HEADER]: String(timestamp),
        [SIGNATURE_HEADER]: signWebhook(o.key, timestamp, body),
      }, signal);
    },
    close: () => Promise.resolve(),
  };
}
