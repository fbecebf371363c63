import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { descendantsOf, isRunning, stopDescendantsOf } from "../../bench/children.js";

/** A process that starts a `sleep` and a node process deaf to SIGTERM, prints their pids and waits. */
const PARENT = `
const { spawn } = require("node:child_process");
const sleeper = spawn("sleep", ["600"], { stdio: "ignore" });
const deaf = spawn(process.execPath, ["-e", "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000); console.log('ready')"], { stdio: ["ignore", "pipe", "ignore"] });
deaf.stdout.once("data", () => console.log(JSON.stringify([sleeper.pid, deaf.pid])));
setInterval(() => {}, 1000);
`;

let parent: ChildProcess | undefined;

afterEach(() => {
  parent?.kill("SIGKILL");
  parent = undefined;
});

async function startTree(): Promise<{ root: number; grandchildren: number[] }> {
  parent = spawn(process.execPath, ["-e", PARENT], { stdio: ["ignore", "pipe", "inherit"] });
  const [line] = (await once(parent.stdout!, "data")) as [Buffer];
  return { root: parent.pid!, grandchildren: JSON.parse(line.toString()) as number[] };
}

describe("a bench's leftover processes", () => {
  it("are found under the process that started them, however deep", async () => {
    const tree = await startTree();
    expect(descendantsOf(process.pid)).toEqual(expect.arrayContaining([tree.root, ...tree.grandchildren]));
  });

  it("are all stopped, a process that ignores SIGTERM by SIGKILL after the grace period", async () => {
    const tree = await startTree();
    await stopDescendantsOf(tree.root, 500);
    expect(tree.grandchildren.filter(isRunning)).toEqual([]);
  });
});
