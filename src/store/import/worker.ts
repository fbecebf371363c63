/**
 * The piscina task of `vigil import --workers N`: one file per task, the
 * same processFile the main thread runs with one worker.
 */
import { processFile, type FileOutcome, type ImportTask } from "./process-file.js";

export default function importFileTask(task: ImportTask): Promise<FileOutcome> {
  return processFile(task);
}
