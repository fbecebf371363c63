/**
 * A load made before it is sent: each message's bytes, ready for the wire,
 * so the generator spends its CPU on sending while the node is measured and
 * not on simulating the plant. Readings to be stamped with their send time
 * carry the placeholder SEND_STAMP (plant-values.ts), which `stampNow`
 * overwrites in place just before the message goes.
 */
import { nowMs, SEND_STAMP } from "./plant-values.js";

export interface PreparedMessage {
  readonly subject: string;
  readonly bytes: Buffer;
  /** Byte offsets of the send-time stamps to fill in, if any. */
  readonly stampAt: readonly number[];
}

/** The message's bytes (the text is ASCII JSON) with the offsets of its send-time placeholders. */
export function prepare(subject: string, text: string): PreparedMessage {
  return prepareBytes(subject, Buffer.from(text, "latin1"));
}

/** Bytes already framed for the wire (a whole MQTT packet, say), with the offsets of their send-time placeholders. */
export function prepareBytes(subject: string, bytes: Buffer): PreparedMessage {
  const stampAt: number[] = [];
  for (let at = bytes.indexOf(SEND_STAMP); at !== -1; at = bytes.indexOf(SEND_STAMP, at + SEND_STAMP.length)) stampAt.push(at);
  return { subject, bytes, stampAt };
}

/** Writes the send time over the message's placeholders, if it has any. */
export function stampNow(message: PreparedMessage): void {
  if (message.stampAt.length === 0) return;
  const stamp = nowMs().toFixed(3);
  if (stamp.length !== SEND_STAMP.length) throw new Error(`send stamp ${stamp} is not ${SEND_STAMP.length} characters`);
  for (const at of message.stampAt) message.bytes.write(stamp, at, "latin1");
}
