/**
 * What a notifier is to the delivery queue: one attempt at a time per call,
 * settled within the signal's life, and an error that says whether another
 * attempt can help.
 */
import { VigilError } from "../../runtime/errors.js";
import type { AlarmNotification } from "../notification.js";

export interface Notifier {
  readonly name: string;
  /** One delivery attempt. Rejects on failure; a `refused()` error means retrying cannot help. */
  send(notification: AlarmNotification, signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

/** A failure another attempt may cure (peer down, 5xx, timeout). */
export function failed(message: string, cause?: unknown): VigilError {
  return new VigilError("VIGIL_NOTIFY_DELIVERY_FAILED", message, { cause });
}

/** The peer refused the notification itself (4xx, SMTP 5xx): dead-lettered at once. */
export function refused(message: string, cause?: unknown): VigilError {
  return new VigilError("VIGIL_NOTIFY_DELIVERY_REFUSED", message, { cause });
}
