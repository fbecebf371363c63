/**
 * On request, a CPU profile of a shard worker's whole life: with
 * VIGIL_WORKER_CPU_PROFILE=<dir>, each worker writes
 * `<dir>/shard-<index>-<pid>.cpuprofile` when it stops (Chrome DevTools
 * format). Node's --cpu-prof does not cover workers that are terminated, and
 * the hot path of a node lives in its workers. With
 * VIGIL_WORKER_HEAP_PROFILE=<dir>, each writes a sampling heap profile
 * (`.heapprofile`, what it allocated and where) the same way: allocation is
 * what the garbage collector's threads spend the hot path's CPU on.
 */
import { writeFile } from "node:fs/promises";
import { Session } from "node:inspector";
import path from "node:path";

export interface WorkerProfile {
  stop(): Promise<void>;
}

const noProfile: WorkerProfile = { stop: () => Promise.resolve() };

export async function startWorkerProfile(index: number): Promise<WorkerProfile> {
  const cpuDir = process.env["VIGIL_WORKER_CPU_PROFILE"];
  const heapDir = process.env["VIGIL_WORKER_HEAP_PROFILE"];
  const wantsCpu = cpuDir !== undefined && cpuDir !== "";
  const wantsHeap = heapDir !== undefined && heapDir !== "";
  if (!wantsCpu && !wantsHeap) return noProfile;
  const session = new Session();
  session.connect();
  const post = (method: string, params: object = {}): Promise<unknown> =>
    new Promise((resolve, reject) => session.post(method, params, (err, result) => (err === null ? resolve(result) : reject(err))));
  if (wantsCpu) {
    await post("Profiler.enable");
    await post("Profiler.start");
  }
  // A sample every 16 KiB allocated: fine enough to split a reading's few kilobytes by call site.
  if (wantsHeap) await post("HeapProfiler.startSampling", { samplingInterval: 16_384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  return {
    async stop() {
      const name = `shard-${index}-${process.pid}`;
      if (wantsCpu) {
        const { profile } = (await post("Profiler.stop")) as { profile: unknown };
        await writeFile(path.join(cpuDir, `${name}.cpuprofile`), JSON.stringify(profile));
      }
      if (wantsHeap) {
        const { profile } = (await post("HeapProfiler.stopSampling")) as { profile: unknown };
        await writeFile(path.join(heapDir, `${name}.heapprofile`), JSON.stringify(profile));
      }
      session.disconnect();
    },
  };
}
