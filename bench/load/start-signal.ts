/**
 * The handshake between a load generator and the bench that runs it: the
 * generator connects and prepares its whole load, says so with one JSON
 * line `{"ready":true}` on stdout, and starts sending when the bench writes
 * a line to its stdin (or stdin ends: run by hand, it starts at once). So
 * the bench times the sending alone, not the generator's start-up (about a
 * second of tsx and of preparing the load, on the same cores).
 */
import { createInterface } from "node:readline";

/** Generator side: announce readiness, then wait for the go. */
export async function readyThenWaitForGo(): Promise<void> {
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
  const lines = createInterface({ input: process.stdin });
  await new Promise<void>((resolve) => {
    lines.once("line", () => resolve());
    lines.once("close", () => resolve());
  });
  lines.close();
}

/** The generator's last line: what it sent, how long the sending took, and the CPU it spent doing so. */
export interface LoadSummary<T = unknown> {
  readonly sent: number;
  readonly seconds: number;
  /** User + system CPU of the generator's process while sending, µs. */
  readonly cpu_us: number;
  readonly truth: T;
}

/** Generator side: times the sending from the go. */
export function sendingClock(): { summary<T>(sent: number, truth: T): string } {
  const start = performance.now();
  const cpu = process.cpuUsage();
  return {
    summary(sent, truth) {
      const used = process.cpuUsage(cpu);
      return `${JSON.stringify({ sent, seconds: (performance.now() - start) / 1000, cpu_us: used.user + used.system, truth })}\n`;
    },
  };
}
