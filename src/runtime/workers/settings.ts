/**
 * The settings every shard shares, whether it runs on the main thread or in a
 * worker. Plain data, so they cross into workers as workerData.
 */
import type { RuntimeDefaults } from "../kind-registry.js";

export interface ShardSettings {
  askTimeoutMs: number;
  /** 0 snapshots after every handled message. */
  snapshotIntervalMs: number;
  passivationSweepMs: number;
  /** Messages to backpressure kinds allowed in flight to one worker before senders are refused. */
  inflightBudget: number;
  defaults: RuntimeDefaults;
}
