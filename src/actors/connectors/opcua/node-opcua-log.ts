/**
 * node-opcua writes its warnings and errors to the console through
 * process-wide hooks. This routes them into the node's pino log instead, as
 * JSON lines marked `lib: "node-opcua"`, one level lower than node-opcua's
 * own: the connector and the simulator report what matters to an operator
 * (connection state, refused credentials, bad nodes) themselves, and
 * node-opcua's running commentary on its retries belongs below that.
 *
 * The hooks are global, so the logger routed last receives everything; until
 * one is routed (the connector and the simulator route theirs when they are
 * constructed) node-opcua's messages are dropped.
 */
import { format } from "node:util";
import { setErrorLogger, setWarningLogger } from "node-opcua";
import type { Logger } from "pino";

let target: Logger | undefined;

/**
 * node-opcua probes RSA PKCS#1 v1.5 decryption at import and warns that
 * Node 20 disabled it (CVE-2023-46809). Only the deprecated Basic128Rsa15
 * policy and its user tokens need it; Vigil neither offers nor accepts that
 * policy, so the warning says nothing about this process.
 */
const IRRELEVANT = /NODE-OPCUA-W27|CVE-2023-46809/;

function forward(level: "debug" | "warn", args: unknown[]): void {
  // The first argument is node-opcua's caller context ({filename, callerline}).
  const [context, ...rest] = args;
  const msg = format(...rest);
  if (target === undefined || IRRELEVANT.test(msg)) return;
  const where = context as { filename?: unknown } | undefined;
  target[level]({ lib: "node-opcua", file: typeof where?.filename === "string" ? where.filename : undefined }, msg);
}

// Installed at import, before node-opcua's asynchronous start-up probe reports.
setWarningLogger((...args: unknown[]) => forward("debug", args));
setErrorLogger((...args: unknown[]) => forward("warn", args));

/** Send node-opcua's warnings (as debug) and errors (as warn) to `log`. */
export function routeNodeOpcUaLogs(log: Logger): void {
  target = log;
}
