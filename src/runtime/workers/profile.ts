/**
 * On request, a CPU profile of a shard worker's whole life: with
 * VIGIL_WORKER_CPU_PROFILE=<dir>, each worker writes
 * `<dir>/shard-<index>-<pid>.cpuprofile` when it stops (Chrome DevTools
 * format). Node's --cpu-prof does not cover workers that are terminated, and
 * the hot path of a node lives in its workers.
 */
import { writeFile } from "node:fs/promises";
import { Session } from "node:inspector";
import path from "node:path";

export interface WorkerProfile {
  stop(): Promise<void>;
}

const noProfile: WorkerProfile = { stop: () => Promise.resolve() };

export async function startWorkerProfile(index: number): Promise<WorkerProfile> {
  const dir = process.env["VIGIL_WORKER_CPU_PROFILE"];
  if (dir === undefined || dir === "") return noProfile;
  const session = new Session();
  session.connect();
  const post = (method: string): Promise<unknown> =>
    new Promise((resolve, reject) => session.post(method, (err, result) => (err === null ? resolve(result) : reject(err))));
  await post("Profiler.enable");
  await post("Profiler.start");
  return {
    async stop() {
      const { profile } = (await post("Profiler.stop")) as { profile: unknown };
      session.disconnect();
      await writeFile(path.join(dir, `shard-${index}-${process.pid}.cpuprofile`), JSON.stringify(profile));
    },
  };
}
