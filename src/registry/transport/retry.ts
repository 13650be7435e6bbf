import { setTimeout as sleep } from "node:timers/promises";
import { isRetryableStatus } from "./errors.ts";

/** How often and how patiently a request is retried. */
export interface RetryOptions {
  /** Attempts in all, the first included (default 5). */
  attempts?: number;
  /** The first backoff in milliseconds; it doubles per attempt (default 250). */
  baseDelayMs?: number;
  /** The longest backoff in milliseconds (default 8000). */
  maxDelayMs?: number;
  /** The longest `Retry-After` honoured, in milliseconds (default 60000); longer waits fail. */
  maxRetryAfterMs?: number;
}

const DEFAULTS = { attempts: 5, baseDelayMs: 250, maxDelayMs: 8000, maxRetryAfterMs: 60_000 };

/** The outcome of the last attempt: a response (possibly still an error status) or a network error. */
export type AttemptOutcome = { response: Response } | { error: unknown };

/**
 * Runs `send` until it gives a response that is not 429/5xx, or the attempts run out. Waits
 * between attempts with exponential backoff and full jitter, or as long as `Retry-After` says
 * (when it is not longer than `maxRetryAfterMs`). Returns the last outcome; never throws for a
 * network error, so the caller can build its own error with the request's evidence.
 */
export async function sendWithRetry(
  send: () => Promise<Response>,
  options: RetryOptions = {},
): Promise<AttemptOutcome> {
  const settings = { ...DEFAULTS, ...options };
  let outcome: AttemptOutcome = { error: new Error("no attempt was made") };

  for (let attempt = 1; attempt <= settings.attempts; attempt++) {
    outcome = await attemptOnce(send);
    if ("response" in outcome && !isRetryableStatus(outcome.response.status)) return outcome;
    if (attempt === settings.attempts) break;

    const delay = delayBefore(attempt, outcome, settings);
    if (delay === undefined) break;
    if ("response" in outcome) await outcome.response.body?.cancel().catch(() => undefined);
    await sleep(delay);
  }

  return outcome;
}

async function attemptOnce(send: () => Promise<Response>): Promise<AttemptOutcome> {
  try {
    return { response: await send() };
  } catch (error) {
    return { error };
  }
}

function delayBefore(
  attempt: number,
  outcome: AttemptOutcome,
  settings: typeof DEFAULTS,
): number | undefined {
  const retryAfter =
    "response" in outcome
      ? parseRetryAfter(outcome.response.headers.get("retry-after"))
      : undefined;
  if (retryAfter !== undefined) {
    return retryAfter > settings.maxRetryAfterMs ? undefined : retryAfter;
  }
  const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(Math.random() * ceiling);
}

/** `Retry-After` as milliseconds from now: delta-seconds or an HTTP date (RFC 9110 10.2.3). */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
