import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/harness/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: "forks",
    // vitest's default is one fewer worker than cores: on a 2-core CI machine that
    // runs every file one after another, although most files spend much of their
    // time waiting on servers, timers and child processes, not on the CPU.
    // At least two files at a time; more where there are cores for them.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    reporters: ["default", "./test/harness/summary-reporter.ts"],
  },
});
