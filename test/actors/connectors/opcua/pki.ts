/**
 * PKI folders the OPC UA specs share across runs, so the server's and the
 * client's certificates are created once (about a second each) and reused.
 * Under .cache/, which git ignores.
 */
import { fileURLToPath } from "node:url";

export const SERVER_PKI = fileURLToPath(new URL("../../../../.cache/opcua/test-server-pki", import.meta.url));
export const CLIENT_PKI = fileURLToPath(new URL("../../../../.cache/opcua/test-client-pki", import.meta.url));
/** A client that trusts no server it has not been told to: the simulator's certificate ends up in its rejected/ folder. */
export const STRICT_CLIENT_PKI = fileURLToPath(new URL("../../../../.cache/opcua/test-strict-client-pki", import.meta.url));
