/** What the API's middleware leaves on a request's context for the routes after it. */
import type { Caller } from "../auth/keys.js";

export interface ApiEnv {
  Variables: {
    /** The recognised key's id and role; undefined when the request carried no key. */
    caller: Caller | undefined;
    /** The code of the error answer, for the audit entry. */
    errorCode: string | undefined;
  };
}

/** Every API route lives under this prefix; /metrics (for scrapers) is the one exception. */
export const API_PREFIX = "/api/v1";
