/**
 * Asks that reach an actor wherever its partition is owned: in a cluster a
 * unit's actors (sensors, unit, alarms) live on the node holding its
 * partition's lease, so the control API on any node asks through here. The
 * owner is the lease holder as this node last saw it; a request goes to
 * `vigil.cluster.ask.<owner>` and the owner asks its own actor — only while
 * it works the partition, so an ask never creates an actor on a node that
 * does not own it. While ownership moves (no holder, or the holder answers
 * that it does not work it), the ask is tried again until its deadline;
 * past it the caller gets VIGIL_API_OWNER_UNREACHABLE. An actor's own
 * errors come back with their codes.
 *
 * Addresses are `<kind>/<unit>/…`: the unit is the partition key.
 *
 * An operator's action (maintenance mode, alarm acknowledge, shelve,
 * unshelve, feedback) changes actor state the ingest stream does not carry:
 * a takeover, which restores the last snapshot and replays the stream,
 * would lose it. So the owner snapshots the partition after applying one
 * and answers only once that snapshot is written; when its tenure ends
 * first the caller gets 503 VIGIL_API_ACTION_NOT_DURABLE (the action may be
 * lost: look, and repeat it).
 */
import type { ClusterMember } from "../runtime/cluster/index.js";
import { partitionOfKey } from "../runtime/cluster/index.js";
import { isVigilError, VigilError, type ActorSystem, type VigilErrorCode } from "../runtime/index.js";
import type { Logger } from "../runtime/log.js";
import type { Subscription, Transport, TransportMessage } from "../runtime/transport/index.js";
import type { OperatorCommand } from "../actors/alarm/index.js";
import type { MaintenanceCommand } from "../actors/unit/index.js";

/** Between tries while a partition has no owner that works it. */
const RETRY_MS = 100;
/** What an owner answers when it does not (or no longer) work the partition. */
const NOT_OWNER = "NOT_OWNER";

export function askSubject(nodeId: string): string {
  return `vigil.cluster.ask.${nodeId}`;
}

/** The asks that change an actor's state outside the ingest stream: operators' actions. */
const OPERATOR_ACTIONS: ReadonlySet<string> = new Set<(OperatorCommand | MaintenanceCommand)["type"]>(["ack", "shelve", "unshelve", "feedback", "maintenance"]);

export function isOperatorAction(message: unknown): boolean {
  return typeof message === "object" && message !== null && OPERATOR_ACTIONS.has(String((message as { type?: unknown }).type));
}

interface AskRequest {
  readonly address: string;
  readonly message: unknown;
}

type AskReply = { ok: true; result: unknown } | { ok: false; code: string; message: string };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface ActorRouterOptions {
  readonly nodeId: string;
  readonly member: ClusterMember;
  readonly system: Pick<ActorSystem, "ask">;
  readonly transport: Transport;
  /** How long an ask may take end to end, retries included. */
  readonly timeoutMs: number;
  readonly log: Logger;
}

export class ActorRouter implements Pick<ActorSystem, "ask"> {
  private readonly sub: Subscription;

  constructor(private readonly o: ActorRouterOptions) {
    const sub = o.transport.subscribe(askSubject(o.nodeId));
    this.sub = sub;
    void (async () => {
      for await (const msg of sub) void this.answer(msg);
    })();
  }

  async ask<T>(address: string, message: unknown): Promise<T> {
    const partition = this.partitionOf(address);
    const deadline = performance.now() + this.o.timeoutMs;
    let last = `no node holds partition ${partition}`;
    for (;;) {
      const owner = this.o.member.holderOf(partition);
      if (owner === this.o.nodeId && this.o.member.works(partition)) return this.askHere<T>(partition, address, message);
      const left = deadline - performance.now();
      if (owner !== undefined && owner !== this.o.nodeId && left > 0) {
        const reply = await this.request(owner, { address, message }, Math.ceil(left));
        if (reply.ok) return reply.result as T;
        if (reply.code !== NOT_OWNER) throw new VigilError(reply.code as VigilErrorCode, reply.message);
        last = reply.message;
      } else if (owner === this.o.nodeId) {
        last = `partition ${partition} is being taken over or handed off here`;
      }
      if (performance.now() + RETRY_MS > deadline) {
        throw new VigilError("VIGIL_API_OWNER_UNREACHABLE", `${address}: its owner did not answer within ${this.o.timeoutMs} ms (${last})`);
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }

  stop(): void {
    this.sub.unsubscribe();
  }

  /** Asks an actor of a partition this node works; an operator's action is answered once a snapshot carries it. */
  private async askHere<T>(partition: number, address: string, message: unknown): Promise<T> {
    const result = await this.o.system.ask<T>(address, message);
    if (isOperatorAction(message) && !(await this.o.member.persist(partition))) {
      throw new VigilError("VIGIL_API_ACTION_NOT_DURABLE", `${address}: applied, but partition ${partition} moved before a snapshot kept it; it may be lost: look, and repeat it`);
    }
    return result;
  }

  private partitionOf(address: string): number {
    const unit = address.split("/")[1];
    if (unit === undefined || unit === "") throw new VigilError("VIGIL_ADDRESS_INVALID", `"${address}" names no unit to find its partition by`);
    return partitionOfKey(this.o.member.layout, unit);
  }

  /** One try at the owner; an owner that cannot be reached counts as not working the partition (it may be gone). */
  private async request(owner: string, body: AskRequest, timeoutMs: number): Promise<AskReply> {
    try {
      const reply = await this.o.transport.request(askSubject(owner), encoder.encode(JSON.stringify(body)), { timeoutMs });
      return JSON.parse(decoder.decode(reply.data)) as AskReply;
    } catch (err) {
      return { ok: false, code: NOT_OWNER, message: `${owner}: ${err instanceof Error ? err.message : String(err)}` };
    }
  }

  private async answer(msg: TransportMessage): Promise<void> {
    if (msg.reply === undefined) return;
    let reply: AskReply;
    try {
      const body = JSON.parse(decoder.decode(msg.data)) as AskRequest;
      const partition = this.partitionOf(body.address);
      if (!this.o.member.works(partition)) reply = { ok: false, code: NOT_OWNER, message: `${this.o.nodeId} does not work partition ${partition}` };
      else reply = { ok: true, result: await this.askHere(partition, body.address, body.message) };
    } catch (err) {
      if (!isVigilError(err)) this.o.log.error({ err }, "a routed ask failed");
      reply = isVigilError(err) ? { ok: false, code: err.code, message: err.message } : { ok: false, code: "VIGIL_ACTOR_FAILED", message: err instanceof Error ? err.message : String(err) };
    }
    try {
      msg.respond(encoder.encode(JSON.stringify(reply)));
    } catch (err) {
      this.o.log.debug({ err }, "could not answer a routed ask (transport closing)");
    }
  }
}
