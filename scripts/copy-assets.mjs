// Copies the files the built node serves that are not TypeScript (tsc copies
// none) into dist/, beside the modules that serve them: the dashboard's
// page, ES modules and CSS. Run by `npm run build` after tsc.
import { cpSync, rmSync } from "node:fs";
import { URL } from "node:url";

const ASSETS = ["src/http/dashboard/assets"];
const root = new URL("../", import.meta.url);

for (const dir of ASSETS) {
  const to = new URL(`dist/${dir}/`, root);
  rmSync(to, { recursive: true, force: true }); // no file deleted from the sources survives in dist
  cpSync(new URL(`${dir}/`, root), to, { recursive: true });
}
