// Entry of the import workers when Vigil runs from TypeScript sources (tsx,
// vitest): Node 20 does not carry the main thread's loader hooks into worker
// threads, and piscina imports its task module by file path, so this plain
// module registers tsx first, then loads the TypeScript task. A build runs
// the compiled worker.js directly (see pool.ts).
import { register } from "tsx/esm/api";

register();
const { default: importFileTask } = await import("./worker.ts");
export default importFileTask;
