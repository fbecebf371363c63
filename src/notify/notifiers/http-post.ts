/**
 * One JSON POST for the webhook and Slack notifiers, and what its answer
 * means: 2xx delivered; 408, 425, 429 and 5xx worth another try; any other
 * status a refusal of the notification itself (a bad signature, a revoked
 * Slack hook) that no retry will cure. Redirects are not followed: a
 * notification goes where it was configured to go, or nowhere.
 *
 * Error messages name the notifier, never the URL: a Slack URL is a secret.
 */
import { failed, refused } from "./notifier.js";

const RETRYABLE = new Set([408, 425, 429]);

export async function postJson(notifier: string, url: string, body: string, headers: Record<string, string>, signal: AbortSignal): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "vigil-notify", ...headers },
      body,
      redirect: "manual",
      signal,
    });
  } catch (err) {
    throw failed(`${notifier}: request failed`, err);
  }
  // Read the answer to the end so the connection can be reused; its text only serves the error message.
  const text = await res.text().catch(() => "");
  if (res.status >= 200 && res.status < 300) return;
  const what = `${notifier}: answered ${res.status}${text === "" ? "" : ` ${JSON.stringify(text.slice(0, 200))}`}`;
  if (res.status >= 500 || RETRYABLE.has(res.status)) throw failed(what);
  throw refused(what);
}
