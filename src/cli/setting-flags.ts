/**
 * Command-line flags that each override one setting, shared by the commands
 * that load a node's config (`start`, `simulate`), and the config loading
 * they share: a bad value exits with the usage code and one clear message.
 */
import { Option, type Command } from "commander";
import { loadConfig, type ConfigPath, type FlagValue, type VigilConfig } from "../config/index.js";
import { isVigilError } from "../runtime/errors.js";
import { EXIT_USAGE, exitWith } from "./exit.js";

export interface SettingFlag {
  readonly flags: string;
  readonly path: ConfigPath;
  readonly help: string;
}

/** Adds the flags to `command`; the returned function reads the ones given. Values stay strings: config validation reads them. */
export function addSettingFlags(command: Command, settingFlags: readonly SettingFlag[]): (opts: Record<string, string | undefined>) => FlagValue[] {
  const options = settingFlags.map((f) => ({ option: new Option(f.flags, `${f.help} (${f.path})`), path: f.path }));
  for (const { option } of options) command.addOption(option);
  return (opts) => {
    const flags: FlagValue[] = [];
    for (const { option, path } of options) {
      const value = opts[option.attributeName()];
      if (value !== undefined) flags.push({ flag: option.long ?? option.flags, path, value });
    }
    return flags;
  };
}

/** Loads the config from file, environment and flags; a bad value ends the process with EXIT_USAGE. */
export function readConfigOrExit(file: string | undefined, flags: readonly FlagValue[]): VigilConfig {
  try {
    return loadConfig({ file, env: process.env, flags });
  } catch (err) {
    if (isVigilError(err, "VIGIL_CONFIG_INVALID")) exitWith(EXIT_USAGE, err.message);
    throw err;
  }
}
