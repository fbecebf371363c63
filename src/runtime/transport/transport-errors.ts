/**
 * The transport's errors, built in one place so both implementations raise
 * the same codes with the same wording.
 */

import { VigilError } from "../errors.js";

export function closedError(cause?: unknown): VigilError {
  return new VigilError("VIGIL_TRANSPORT_CLOSED", "transport is closed", { cause });
}

export function noRespondersError(subject: string, cause?: unknown): VigilError {
  return new VigilError("VIGIL_TRANSPORT_NO_RESPONDERS", `no responders on ${JSON.stringify(subject)}`, { cause });
}

export function timeoutError(subject: string, timeoutMs: number, cause?: unknown): VigilError {
  return new VigilError(
    "VIGIL_TRANSPORT_TIMEOUT",
    `request on ${JSON.stringify(subject)} got no reply within ${timeoutMs} ms`,
    { cause },
  );
}

export function noReplySubjectError(subject: string): VigilError {
  return new VigilError(
    "VIGIL_TRANSPORT_SUBJECT_INVALID",
    `cannot respond: the message on ${JSON.stringify(subject)} has no reply subject`,
  );
}
