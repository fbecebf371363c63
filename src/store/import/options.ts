/**
 * The options of one import run, validated once at the boundary (the CLI
 * passes what the user typed) into a fully filled ImportOptions.
 */
import path from "node:path";
import { z } from "zod";
import { ID_PATTERN } from "../../actors/readings/reading.js";
import { IMPORT_FORMATS } from "./formats/index.js";

export const importOptionsSchema = z.object({
  files: z.array(z.string().min(1)).min(1, { error: "at least one file to import" }),
  format: z.enum(["auto", ...IMPORT_FORMATS], { error: `one of auto, ${IMPORT_FORMATS.join(", ")}` }).default("auto"),
  unit: z.string().regex(ID_PATTERN, { error: "a unit id: letters, digits, '_' or '-', 1 to 64 of them" }).optional(),
  validate: z.boolean().default(true),
  capacityKw: z.coerce.number({ error: "a number of kW" }).positive({ error: "a capacity in kW greater than 0" }).finite().optional(),
  outputDir: z.string().min(1).optional(),
  workers: z.coerce.number({ error: "a whole number >= 1" }).int({ error: "a whole number >= 1" }).min(1, { error: "a whole number >= 1" }).max(64).default(1),
  store: z.boolean().default(true),
  /** Row issues kept in full per file (for the errors CSV); all are counted. */
  maxIssues: z.number().int().min(0).default(100_000),
}).check((ctx) => {
  // Processed CSVs are named after the input file, so two inputs of one name would overwrite each other's output.
  if (ctx.value.outputDir === undefined) return;
  const seen = new Set<string>();
  for (const file of ctx.value.files) {
    const name = path.basename(file).toLowerCase();
    if (seen.has(name)) {
      ctx.issues.push({ code: "custom", path: ["files"], input: file, message: `files of distinct names (with --output-dir each names its processed CSV): ${path.basename(file)} comes twice` });
      return;
    }
    seen.add(name);
  }
});

export type ImportOptionsInput = z.input<typeof importOptionsSchema>;
export type ImportOptions = z.output<typeof importOptionsSchema>;
