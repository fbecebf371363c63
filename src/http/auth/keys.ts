/**
 * API keys: made from 32 random bytes, stored only as their SHA-256, checked
 * in constant time.
 *
 * Why SHA-256 and not scrypt: a Vigil key is 256 bits from the OS's CSPRNG,
 * not a password a person chose, so there is no dictionary to try and a
 * preimage search is out of reach whatever the hash's cost; a slow KDF would
 * only make every API request pay tens of milliseconds of CPU (and hand an
 * attacker a cheap way to burn it). Hashing still keeps the config file, its
 * backups and the process's memory from holding usable keys.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { ApiKeyConfig, ApiRoleName } from "../../config/index.js";

export type Role = ApiRoleName;

/** Each role may do everything the ones before it may. */
export const ROLES: readonly Role[] = ["viewer", "operator", "admin"];

export function roleAllows(held: Role, needed: Role): boolean {
  return ROLES.indexOf(held) >= ROLES.indexOf(needed);
}

/** Who is calling, once a key has been recognised. */
export interface Caller {
  readonly keyId: string;
  readonly role: Role;
}

const KEY_PREFIX = "vgk_";

/** A new key: `vgk_` and 43 base64url characters (256 random bits). */
export function generateApiKey(): string {
  return KEY_PREFIX + randomBytes(32).toString("base64url");
}

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

interface StoredKey extends Caller {
  readonly digest: Buffer;
}

/** The configured keys; `identify` tells which one (if any) a presented key is. */
export class KeyRing {
  private readonly keys: StoredKey[];

  constructor(keys: readonly ApiKeyConfig[]) {
    this.keys = keys.map((k) => ({ keyId: k.id, role: k.role, digest: Buffer.from(k.sha256, "hex") }));
  }

  get size(): number {
    return this.keys.length;
  }

  /**
   * Compares the presented key's digest with every stored one, without
   * stopping at a match, so the time taken says nothing about which key (or
   * how much of one) was right.
   */
  identify(presented: string): Caller | undefined {
    const digest = createHash("sha256").update(presented, "utf8").digest();
    let found: StoredKey | undefined;
    for (const key of this.keys) {
      if (timingSafeEqual(digest, key.digest) && found === undefined) found = key;
    }
    return found === undefined ? undefined : { keyId: found.keyId, role: found.role };
  }
}

/** The key a request carries: `X-API-Key: <key>` or `Authorization: Bearer <key>`. */
export function presentedKey(headers: { get(name: string): string | null | undefined }): string | undefined {
  const direct = headers.get("x-api-key");
  if (direct !== null && direct !== undefined && direct !== "") return direct.trim();
  const auth = headers.get("authorization");
  if (auth === null || auth === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
  return match?.[1];
}
