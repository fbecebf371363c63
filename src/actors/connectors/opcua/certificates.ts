/**
 * PKI folders for OPC UA clients and servers. Creating a key pair and a
 * self-signed certificate takes a second or so, so each folder keeps its
 * certificate and later starts reuse it. File watchers are off: the trust
 * lists are read at start, and watchers would keep a stopped process alive.
 */
import path from "node:path";
import { OPCUACertificateManager } from "node-opcua";

export interface PkiOptions {
  /** The PKI folder; created when missing. Relative paths resolve against the working directory. */
  readonly dir: string;
  /** Trust a peer's certificate the first time it is seen. */
  readonly acceptUnknown: boolean;
}

export function createCertificateManager(options: PkiOptions): OPCUACertificateManager {
  return new OPCUACertificateManager({
    rootFolder: path.resolve(options.dir),
    automaticallyAcceptUnknownCertificate: options.acceptUnknown,
    disableFileWatchers: true,
    keySize: 2048,
  });
}
