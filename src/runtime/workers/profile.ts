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

/** Where a thread's profiles go when it stops; either may be left out. */
export interface ProfileFiles {
  readonly cpuFile?: string;
  readonly heapFile?: string;
}

/**
 * Profiles the calling thread (main or a worker: the inspector session is
 * the thread's own) from now until stop(), which writes the files asked for.
 */
export async function startThreadProfile(files: ProfileFiles): Promise<WorkerProfile> {
  const { cpuFile, heapFile } = files;
  if (cpuFile === undefined && heapFile === undefined) return noProfile;
  const session = new Session();
  session.connect();
  const post = (method: string, params: object = {}): Promise<unknown> =>
    new Promise((resolve, reject) => session.post(method, params, (err, result) => (err === null ? resolve(result) : reject(err))));
  if (cpuFile !== undefined) {
    await post("Profiler.enable");
    await post("Profiler.start");
  }
  // A sample every 16 KiB allocated, collected objects included: fine enough to split a reading's few kilobytes by call site.
  if (heapFile !== undefined) await post("HeapProfiler.startSampling", { samplingInterval: 16_384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  return {
    async stop() {
      if (cpuFile !== undefined) {
        const { profile } = (await post("Profiler.stop")) as { profile: unknown };
        await writeFile(cpuFile, JSON.stringify(profile));
      }
      if (heapFile !== undefined) {
        const { profile } = (await post("HeapProfiler.stopSampling")) as { profile: unknown };
        await writeFile(heapFile, JSON.stringify(profile));
      }
      session.disconnect();
    },
  };
}

export function startWorkerProfile(index: number): Promise<WorkerProfile> {
  const name = `shard-${index}-${process.pid}`;
  const fileIn = (variable: string, extension: string): string | undefined => {
    const dir = process.env[variable];
    return dir === undefined || dir === "" ? undefined : path.join(dir, `${name}.${extension}`);
  };
  return startThreadProfile({ cpuFile: fileIn("VIGIL_WORKER_CPU_PROFILE", "cpuprofile"), heapFile: fileIn("VIGIL_WORKER_HEAP_PROFILE", "heapprofile") });
}
