/**
 * PKI folders for OPC UA clients and servers. Creating a key pair and a
 * self-signed certificate takes a second or so, so each folder keeps its
 * certificate and later starts reuse it. File watchers are off: the trust
 * lists are read at start, and watchers would keep a stopped process alive.
 */
import path from "node:path";
import { OPCUACertificateManager } from "node-opcua";
import { VigilError } from "../../../runtime/index.js";

export interface PkiOptions {
  /** The PKI folder; created when missing. Relative paths resolve against the working directory. */
  readonly dir: string;
  /** Trust a peer's certificate the first time it is seen. */
  readonly acceptUnknown: boolean;
  /** The setting the folder comes from, for the error message, e.g. "opcua.pkiDir". */
  readonly setting: string;
}

export function createCertificateManager(options: PkiOptions): OPCUACertificateManager {
  try {
    return new OPCUACertificateManager({
      rootFolder: path.resolve(options.dir),
      automaticallyAcceptUnknownCertificate: options.acceptUnknown,
      disableFileWatchers: true,
      keySize: 2048,
    });
  } catch (err) {
    throw unusablePki(options, err);
  }
}

/** Prepare the folder and the own certificate (created on first use). */
export async function initializeCertificates(manager: OPCUACertificateManager, options: PkiOptions): Promise<void> {
  try {
    await manager.initialize();
  } catch (err) {
    throw unusablePki(options, err);
  }
}

function unusablePki(options: PkiOptions, err: unknown): VigilError {
  const reason = err instanceof Error ? err.message : String(err);
  return new VigilError("VIGIL_CONFIG_INVALID", `${options.setting}: cannot use ${path.resolve(options.dir)} as an OPC UA PKI folder (${reason})`, { cause: err });
}
