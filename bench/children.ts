/**
 * What a bench leaves running when the runner exits: the processes it
 * started (load generators, Node-RED, cluster nodes, servers) and theirs. A
 * suite stops them in its own `finally`, but a --quick run that overruns is
 * ended by the runner mid-suite, and a suite that throws may not reach its
 * cleanup; so the runner stops every descendant before it exits, found in
 * /proc (Linux, the benches' platform; elsewhere nothing is found).
 */
import { readdirSync, readFileSync } from "node:fs";

/** How long descendants get to end on SIGTERM before they are sent SIGKILL. */
const GRACE_MS = 3_000;
const POLL_MS = 20;
/** How long a SIGKILLed descendant may take to be gone before the stop returns anyway. */
const KILL_WAIT_MS = 5_000;

/** Stops every live descendant of `root` (not `root` itself): SIGTERM, then SIGKILL to those still there after GRACE_MS. */
export async function stopDescendantsOf(root: number, graceMs = GRACE_MS): Promise<void> {
  const pids = descendantsOf(root);
  signal(pids, "SIGTERM");
  const left = await untilEnded(pids, graceMs);
  // Found again: a descendant may have started another while it was ending.
  const killed = [...new Set([...left, ...descendantsOf(root)])];
  signal(killed, "SIGKILL");
  // SIGKILL is delivered, not done: a busy or swapped-out process is still
  // there for a moment, and the caller goes on to reuse its ports and files.
  await untilEnded(killed, KILL_WAIT_MS);
}

/** Waits up to `waitMs` for `pids` to end; returns those still running. */
async function untilEnded(pids: readonly number[], waitMs: number): Promise<number[]> {
  const deadline = performance.now() + waitMs;
  let left = pids.filter(isRunning);
  while (left.length > 0 && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    left = left.filter(isRunning);
  }
  return left;
}

/** The processes under `root`, parents before their children. */
export function descendantsOf(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const { pid, ppid } of processes()) {
    const list = children.get(ppid);
    if (list === undefined) children.set(ppid, [pid]);
    else list.push(pid);
  }
  const out: number[] = [];
  const queue = [root];
  for (let parent = queue.shift(); parent !== undefined; parent = queue.shift()) {
    for (const child of children.get(parent) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

/** Alive and not a zombie (a zombie has ended; only its parent's wait is missing). */
export function isRunning(pid: number): boolean {
  const state = statOf(pid)?.state;
  return state !== undefined && state !== "Z" && state !== "X";
}

function signal(pids: readonly number[], sig: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      // Gone meanwhile.
    }
  }
}

function processes(): { pid: number; ppid: number }[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  const out: { pid: number; ppid: number }[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = statOf(Number(entry));
    if (stat !== undefined) out.push({ pid: Number(entry), ppid: stat.ppid });
  }
  return out;
}

/** State and parent from /proc/<pid>/stat; the command name (in parentheses) may itself hold spaces and parentheses. */
function statOf(pid: number): { state: string; ppid: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return { state: fields[0] ?? "", ppid: Number(fields[1]) };
}
