/**
 * Follows a cluster stream on this node without taking part in its work: an
 * ordered consumer (ephemeral, no acknowledgements, recreated by the client
 * after a gap) that starts at the latest message of every subject and then
 * hands over each new one in stream order. What every node needs to show
 * every partition's outputs, not only those of the partitions it owns.
 *
 * A stream stores a message once however often it is published with the
 * same message id, so a replay after a handoff never reaches a follower.
 *
 * `caughtUp` resolves once what the stream held when following began (the
 * latest message of every subject) has been handed over: what a caller
 * waits for before it answers from what it was handed.
 */
import { DeliverPolicy, type ConsumerMessages, type JetStreamClient } from "@nats-io/jetstream";
import type { Logger } from "pino";

/** Wait before following again after the consumer failed (stream not there yet, server gone). */
const RETRY_MS = 1_000;

export interface StreamFollower {
  /** Messages handed over so far. */
  readonly delivered: number;
  /** Resolves once the messages pending when following began are handed over (or following stopped). Never rejects. */
  readonly caughtUp: Promise<void>;
  stop(): Promise<void>;
}

export function followStream(js: JetStreamClient, stream: string, subjects: string[], deliver: (subject: string, data: Uint8Array) => void, log: Logger): StreamFollower {
  let stopped = false;
  let delivered = 0;
  let messages: ConsumerMessages | undefined;
  let lastSeq = 0;
  let retry: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  let markCaughtUp: () => void = () => undefined;
  const caughtUp = new Promise<void>((resolve) => (markCaughtUp = resolve));
  const run = async (): Promise<void> => {
    while (!stopped) {
      try {
        // After a failure, on from the last message handed over: nothing twice, nothing skipped.
        const start = lastSeq === 0 ? { deliver_policy: DeliverPolicy.LastPerSubject } : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: lastSeq + 1 };
        const consumer = await js.consumers.get(stream, { filter_subjects: subjects, ...start });
        messages = await consumer.consume();
        if (stopped) messages.stop();
        // The ordered consumer is made by consume(): its creation info counts what is pending for it.
        const info = (await consumer.info(true)) as { num_pending?: number } | undefined;
        if (info?.num_pending === 0) markCaughtUp();
        for await (const m of messages) {
          lastSeq = m.seq;
          delivered++;
          deliver(m.subject, m.data);
          if (m.info.pending === 0) markCaughtUp();
        }
      } catch (err) {
        if (!stopped) log.warn({ stream, err: (err as Error).message }, "following a cluster stream failed; following it again");
      }
      if (!stopped) await new Promise<void>((resolve) => ((wake = resolve), (retry = setTimeout(resolve, RETRY_MS))));
    }
  };
  const running = run();
  return {
    get delivered() {
      return delivered;
    },
    caughtUp,
    async stop() {
      stopped = true;
      markCaughtUp();
      clearTimeout(retry);
      wake?.();
      messages?.stop();
      await running;
    },
  };
}
