// Running from TypeScript sources (tsx, vitest): Node 20 does not carry the
// main thread's loader hooks into worker threads, so the training worker
// registers tsx itself before loading its task module. Built code loads
// worker.js directly and never reaches this file.
import { register } from "tsx/esm/api";

register();
const task = await import("./worker.ts");
export default task.default;
