/**
 * `vigil api-key --id <name> --role <role>`: makes an API key and prints it
 * with the entry to put in `http.keys` of the config file. The key is shown
 * only here; the config holds its SHA-256 (src/http/auth/keys.ts says why
 * that is enough for a random key).
 */
import { Option, type Command } from "commander";
import { API_ROLES } from "../../config/index.js";
import { generateApiKey, hashApiKey } from "../../http/index.js";

export function registerApiKey(program: Command): void {
  program
    .command("api-key")
    .description("make an API key for the control API and print its http.keys entry")
    .requiredOption("--id <name>", "the key's name in audit entries and logs (letters, digits, _ . -)")
    .addOption(new Option("--role <role>", "what the key may do").choices([...API_ROLES]).default("viewer"))
    .action((opts: { id: string; role: string }) => {
      if (!/^[A-Za-z0-9_.-]{1,64}$/.test(opts.id)) {
        process.stderr.write(`--id: expected letters, digits, '_', '.' or '-' (at most 64), got ${JSON.stringify(opts.id)}\n`);
        process.exit(2);
      }
      const key = generateApiKey();
      process.stdout.write(
        [
          `key (give it to the client; it is not stored anywhere): ${key}`,
          `http.keys entry: ${JSON.stringify({ id: opts.id, role: opts.role, sha256: hashApiKey(key) })}`,
          "",
        ].join("\n"),
      );
    });
}
