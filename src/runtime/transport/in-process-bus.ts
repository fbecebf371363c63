/**
 * The in-process "server": one subject trie shared by every InProcessTransport
 * attached to it. Routing results are cached per published subject (as
 * nats-server's sublist does), so the steady state of publishing to known
 * subjects costs one Map lookup plus the deliveries.
 */

import { SubjectTrie } from "./subject-trie.js";

/** What the bus delivers to; implemented by subscriptions and request inboxes. */
export interface BusSubscriber {
  readonly queue: string | undefined;
  /** Must not throw and must not call back into the publisher synchronously. */
  deliver(subject: string, data: Uint8Array, reply: string | undefined): void;
}

interface QueueGroup {
  readonly members: BusSubscriber[];
  /** Round-robin cursor. */
  next: number;
}

/** Who receives a message on one subject. */
interface Interest {
  readonly plain: BusSubscriber[];
  /** Groups are merged by queue name across all matching subscriptions, as NATS does. */
  readonly groups: QueueGroup[];
}

const MAX_CACHED_SUBJECTS = 4_096; // routing results kept; unique request inboxes pass through quickly

export class InProcessBus {
  private readonly trie = new SubjectTrie<BusSubscriber>();
  private readonly cache = new Map<string, Interest>();

  /** Number of live subscriptions, request inboxes included. */
  get subscriptionCount(): number {
    return this.trie.size;
  }

  /** `tokens` must come from a validated subscribe subject. */
  subscribe(tokens: readonly string[], subscriber: BusSubscriber): void {
    this.trie.insert(tokens, subscriber);
    this.cache.clear();
  }

  unsubscribe(tokens: readonly string[], subscriber: BusSubscriber): void {
    if (this.trie.remove(tokens, subscriber)) this.cache.clear();
  }

  /**
   * Routes one message: to every plain subscriber, and to one member of each
   * queue group in turn. `subject` must be a validated literal subject.
   * Returns how many subscribers received it (0 means no responders).
   */
  publish(subject: string, data: Uint8Array, reply: string | undefined): number {
    const interest = this.interest(subject);
    for (const subscriber of interest.plain) subscriber.deliver(subject, data, reply);
    for (const group of interest.groups) {
      const member = group.members[group.next] as BusSubscriber;
      group.next = (group.next + 1) % group.members.length;
      member.deliver(subject, data, reply);
    }
    return interest.plain.length + interest.groups.length;
  }

  private interest(subject: string): Interest {
    const cached = this.cache.get(subject);
    if (cached !== undefined) return cached;

    const matched: BusSubscriber[] = [];
    this.trie.match(subject.split("."), matched);
    const plain: BusSubscriber[] = [];
    const byQueue = new Map<string, BusSubscriber[]>();
    for (const subscriber of matched) {
      if (subscriber.queue === undefined) plain.push(subscriber);
      else {
        const members = byQueue.get(subscriber.queue);
        if (members === undefined) byQueue.set(subscriber.queue, [subscriber]);
        else members.push(subscriber);
      }
    }
    // A random starting member, so that a cache reset (any subscribe or
    // unsubscribe) does not skew the load towards the first member.
    const groups = [...byQueue.values()].map((members) => ({
      members,
      next: Math.floor(Math.random() * members.length),
    }));
    const interest: Interest = { plain, groups };

    if (this.cache.size >= MAX_CACHED_SUBJECTS) {
      const oldest = this.cache.keys().next();
      if (oldest.done !== true) this.cache.delete(oldest.value);
    }
    this.cache.set(subject, interest);
    return interest;
  }
}

/** A fresh bus; attach transports to it with `createInProcessTransport({ bus })`. */
export function createInProcessBus(): InProcessBus {
  return new InProcessBus();
}
