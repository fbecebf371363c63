/**
 * Options validated once at the transport boundary into fully filled types,
 * shared by both implementations so they accept and reject the same input.
 */

import { VigilError } from "../errors.js";
import { assertQueueName } from "./subject.js";
import {
  DEFAULT_MAX_PENDING_BYTES,
  DEFAULT_MAX_PENDING_MESSAGES,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type RequestOptions,
  type SlowConsumerEvent,
  type SubscribeOptions,
} from "./transport.js";

/** SubscribeOptions validated once, with every default filled in. */
export interface FilledSubscribeOptions {
  readonly queue: string | undefined;
  readonly maxPending: number;
  readonly maxPendingBytes: number;
  readonly onSlowConsumer: ((event: SlowConsumerEvent) => void) | undefined;
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new VigilError("VIGIL_CONFIG_INVALID", `${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

export function fillSubscribeOptions(options: SubscribeOptions | undefined): FilledSubscribeOptions {
  const queue = options?.queue;
  if (queue !== undefined) assertQueueName(queue);
  return {
    queue,
    maxPending: positiveInteger("maxPending", options?.maxPending, DEFAULT_MAX_PENDING_MESSAGES),
    maxPendingBytes: positiveInteger("maxPendingBytes", options?.maxPendingBytes, DEFAULT_MAX_PENDING_BYTES),
    onSlowConsumer: options?.onSlowConsumer,
  };
}

/** The request timeout in milliseconds; throws VIGIL_CONFIG_INVALID unless positive and finite. */
export function requestTimeoutMs(options: RequestOptions | undefined): number {
  const timeoutMs = options?.timeoutMs;
  if (timeoutMs === undefined) return DEFAULT_REQUEST_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new VigilError("VIGIL_CONFIG_INVALID", `timeoutMs must be a positive number, got ${String(timeoutMs)}`);
  }
  return timeoutMs;
}
