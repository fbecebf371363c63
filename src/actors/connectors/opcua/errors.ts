/**
 * node-opcua reports failures as plain Errors whose message carries the OPC
 * UA status name. This turns them into VigilErrors with stable codes, and
 * says which ones retrying cannot fix: refused credentials, a security mode
 * the server does not offer, a certificate one side does not trust. Those
 * need a person to change the configuration or the trust list.
 */
import { VigilError, type VigilErrorCode } from "../../../runtime/index.js";

interface Rule {
  readonly match: RegExp;
  readonly code: VigilErrorCode;
  readonly explain: (endpoint: string, pkiDir: string) => string;
}

const RULES: readonly Rule[] = [
  {
    match: /BadUserAccessDenied|BadIdentityTokenInvalid|BadIdentityTokenRejected/,
    code: "VIGIL_OPCUA_ACCESS_DENIED",
    explain: (e) => `${e} refused the session's credentials: check the endpoint's username and password`,
  },
  {
    match: /Cannot find .* user token policy/i,
    code: "VIGIL_OPCUA_ACCESS_DENIED",
    explain: (e) => `${e} does not accept this kind of sign-in (e.g. it refuses anonymous sessions): set a username and password`,
  },
  {
    match: /Cannot find an Endpoint matching|BadSecurityModeRejected|BadSecurityPolicyRejected/,
    code: "VIGIL_OPCUA_SECURITY_REJECTED",
    explain: (e) => `${e} does not offer the configured security mode and policy`,
  },
  {
    match: /BadCertificate|certificate verification failed/i,
    code: "VIGIL_OPCUA_CERTIFICATE_REJECTED",
    explain: (e, pki) =>
      `${e}: a certificate was not trusted; an unknown server certificate is kept in ${pki}/rejected and is trusted once moved to ${pki}/trusted/certs (or set acceptUnknownServerCertificates), and the server may need to trust Vigil's certificate`,
  },
];

/** Codes that no amount of retrying fixes. */
const PERMANENT: ReadonlySet<VigilErrorCode> = new Set([
  "VIGIL_OPCUA_ACCESS_DENIED",
  "VIGIL_OPCUA_SECURITY_REJECTED",
  "VIGIL_OPCUA_CERTIFICATE_REJECTED",
]);

export function classifyConnectError(err: unknown, endpoint: string, pkiDir: string): VigilError {
  if (err instanceof VigilError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const rule = RULES.find((r) => r.match.test(message));
  if (rule === undefined) {
    return new VigilError("VIGIL_OPCUA_CONNECT_FAILED", `${endpoint}: cannot connect (${firstLine(message)})`, { cause: err });
  }
  return new VigilError(rule.code, `${rule.explain(endpoint, pkiDir)} (${firstLine(message)})`, { cause: err });
}

export function isPermanent(err: VigilError): boolean {
  return PERMANENT.has(err.code);
}

function firstLine(message: string): string {
  return message.split("\n")[0]?.trim() ?? message;
}
