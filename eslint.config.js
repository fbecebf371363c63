// @ts-check
/**
 * Lint: typescript-eslint's type-checked recommended rules over everything
 * tsconfig.json covers. An actor runtime lives on promises, so a promise that
 * is dropped or passed where a callback's result is ignored is an error.
 */
import js from "@eslint/js";
import { defineConfig, globalIgnores } from "eslint/config";
import tseslint from "typescript-eslint";

export default defineConfig(
  // The same scratch and output folders .gitignore keeps out of the repository.
  globalIgnores(["dist/", "node_modules/", ".cache/", "coverage/", "tmp/"]),
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      // Same convention as tsc's noUnused*: a leading underscore marks "unused on purpose".
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },
  {
    // Plain JS config files are outside tsconfig.json: lint them without types.
    files: ["**/*.js", "**/*.mjs", "**/*.cjs"],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    // The dashboard's browser modules: served as they are, no bundler.
    files: ["src/http/dashboard/assets/**/*.js"],
    languageOptions: {
      globals: Object.fromEntries(
        ["window", "document", "location", "history", "sessionStorage", "fetch", "WebSocket", "Node", "ResizeObserver", "requestAnimationFrame", "setTimeout", "setInterval", "console"].map((name) => [name, "readonly"]),
      ),
    },
  },
);
