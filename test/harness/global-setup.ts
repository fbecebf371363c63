/**
 * vitest globalSetup: provisions the test servers' binaries once, before any
 * test file runs, so the first integration test does not spend its timeout on
 * installing packages. On a fresh machine this takes a minute or so (its
 * progress goes to stderr); afterwards about 10 ms.
 */
import { ensureServerBinary, runEnsureScript, type ServerKind } from "./binaries.js";

const KINDS: readonly ServerKind[] = ["nats", "mosquitto", "clickhouse"];

export default async function setup(): Promise<void> {
  const started = Date.now();
  await runEnsureScript();
  // Also checks that nats-server is new enough, so a stale cache fails here, once.
  await Promise.all(KINDS.map((kind) => ensureServerBinary(kind)));
  const seconds = (Date.now() - started) / 1000;
  if (seconds > 1) process.stderr.write(`test servers provisioned in ${seconds.toFixed(1)} s\n`);
}
