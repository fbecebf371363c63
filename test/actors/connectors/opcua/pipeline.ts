/**
 * What the OPC UA connector specs run against: a real actor system
 * (`workers: 0`) with the recording sensor kind, the real ingest gateway and
 * counters, and a window onto the gateway's answers so a spec can wait for
 * a rejection as it waits for a reading. Nothing here sleeps: waits are for
 * events, each bounded by the test's timeout.
 */
import { IngestGateway } from "../../../../src/actors/ingest/index.js";
import { IngestCounters, isRejection, type RawReading, type Reading, type Rejection, type IngestSource } from "../../../../src/actors/readings/index.js";
import type { OpcUaConnector, OpcUaConnectionState, OpcUaEndpointStatus, ReadingSink } from "../../../../src/actors/connectors/opcua/index.js";
import { createActorSystem, type ActorSystem } from "../../../../src/runtime/index.js";
import { silentLog } from "../../../fixtures/actor-system.js";
import { recordingSensor, type RecordingSensor } from "../../../fixtures/recording-sensor.js";

export interface GatewayAnswer {
  readonly raw: RawReading;
  readonly result: Reading | Rejection;
}

export interface Pipeline {
  readonly system: ActorSystem;
  readonly sensor: RecordingSensor;
  readonly counters: IngestCounters;
  /** The real gateway, watched: hand this to the connector. */
  readonly gateway: ReadingSink;
  readonly answers: GatewayAnswer[];
  /** The first rejection (already given or still to come) that satisfies `where`. */
  nextRejection(where?: (a: GatewayAnswer) => boolean): Promise<GatewayAnswer>;
  stop(): Promise<void>;
}

export async function startPipeline(): Promise<Pipeline> {
  const sensor = recordingSensor();
  const system = await createActorSystem({ workers: 0, kinds: [sensor.kind], log: silentLog });
  const counters = new IngestCounters();
  const real = new IngestGateway({ system, counters, log: silentLog });
  const answers: GatewayAnswer[] = [];
  let waiters: { where: (a: GatewayAnswer) => boolean; resolve: (a: GatewayAnswer) => void }[] = [];
  const record = (answer: GatewayAnswer): void => {
    answers.push(answer);
    waiters = waiters.filter((w) => {
      if (!(isRejection(answer.result) && w.where(answer))) return true;
      w.resolve(answer);
      return false;
    });
  };
  const gateway: ReadingSink = {
    async submit(raw: RawReading, source: IngestSource) {
      const result = await real.submit(raw, source);
      record({ raw, result });
      return result;
    },
    reject: (source, reason, detail) => real.reject(source, reason, detail),
  };
  return {
    system,
    sensor,
    counters,
    gateway,
    answers,
    nextRejection(where = () => true) {
      const seen = answers.find((a) => isRejection(a.result) && where(a));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ where, resolve }));
    },
    stop: () => system.stop(),
  };
}

/** The status of the connector's only endpoint once it reaches `state` (now or later). */
export function endpointReaches(connector: OpcUaConnector, state: OpcUaConnectionState): Promise<OpcUaEndpointStatus> {
  const now = connector.status()[0];
  if (now?.state === state) return Promise.resolve(now);
  return new Promise((resolve) => {
    const off = connector.onStatus((s) => {
      if (s.state !== state) return;
      off();
      resolve(s);
    });
  });
}
