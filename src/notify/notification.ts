/**
 * The contract between the alarm actors and the notifiers: what one
 * notification says, and the dispatcher the node hands it to.
 *
 * The alarm side builds an `AlarmNotification` for each lifecycle
 * transition worth telling people about (raise, escalation, clear) and calls
 * `dispatch()` from the node's main thread. Everything after that — routing by
 * severity and unit group, durable queueing, delivery, retries, dead letters —
 * is the dispatcher's job.
 *
 * Delivery is at least once: a notification can reach a receiver twice (a
 * retry after a timeout whose request did arrive, a restart between delivery
 * and bookkeeping). `id` is the idempotency key receivers dedupe by.
 */

export const ALARM_SEVERITIES = ["LOW", "MEDIUM", "HIGH", "CRITICAL"] as const;
export type AlarmSeverity = (typeof ALARM_SEVERITIES)[number];

export const NOTIFICATION_EVENTS = ["raised", "escalated", "cleared"] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

export interface AlarmNotification {
  /** Unique per notification (alarm id + event + transition sequence): the idempotency key receivers see. */
  readonly id: string;
  readonly event: NotificationEvent;
  /** Epoch ms of the transition. */
  readonly at: number;
  readonly alarm: {
    readonly id: string;
    readonly ruleId: string;
    readonly unit: string;
    readonly sensor: string | null;
    readonly severity: AlarmSeverity;
    readonly category: string;
    readonly message: string;
    /** Lifecycle state after the transition, e.g. "ACTIVE_UNACKED". */
    readonly state: string;
    readonly value: number | null;
    /** Epoch ms the alarm was raised. */
    readonly raisedAt: number;
    /** Operator area, when the unit has one. */
    readonly area: string | null;
  };
}

/** A notification one notifier gave up on after its last try, kept on disk for a person to look at. */
export interface DeadLetter {
  readonly notifier: string;
  readonly notification: AlarmNotification;
  readonly attempts: number;
  /** Epoch ms of the first and the last attempt (both null when it never got a try, e.g. the outbox was full). */
  readonly firstAttemptAt: number | null;
  readonly lastAttemptAt: number | null;
  /** Why the last attempt failed, with secrets scrubbed out. */
  readonly lastError: string;
  /** Epoch ms it was dead-lettered. */
  readonly deadAt: number;
}

export interface NotificationDispatcher {
  /**
   * Never blocks, never throws: routes the notification, queues one item per
   * notifier durably (on disk) and returns at once. Delivery happens behind.
   */
  dispatch(notification: AlarmNotification): void;
  /** Items not yet delivered, over all notifiers (including those still being written to the outbox). */
  pending(): number;
  /** The dead letters on disk, oldest first. */
  deadLetters(): Promise<readonly DeadLetter[]>;
  /** Stops delivering (in-flight attempts are abandoned and retried after restart) and closes the notifiers' connections. */
  close(): Promise<void>;
}
