import { ExitCode, UserError } from "../../errors.ts";
import { redactText, redactUrl } from "./redact.ts";

/** One entry of the `errors` array a registry returns in an error body (OCI distribution spec). */
export interface RegistryErrorCode {
  /** The registry's code: `MANIFEST_UNKNOWN`, `DENIED`, `UNAUTHORIZED`, `TOOMANYREQUESTS`, … */
  code: string;
  /** The registry's message, if it gave one. */
  message?: string;
}

/** What a RegistryError knows about the request that failed. */
export interface RegistryErrorDetails {
  /** The HTTP method. */
  method?: string;
  /** The URL; it is redacted before it is stored. */
  url?: string | URL;
  /** The HTTP status, when a response came back. */
  status?: number;
  /** The registry's error codes from the response body. */
  codes?: RegistryErrorCode[];
  /** Whether trying again later may succeed (429, 5xx, network errors). */
  retryable?: boolean;
  /** The exit code for the CLI; derived from the status when absent. */
  exitCode?: ExitCode;
  /** What the user can do about it. */
  hint?: string;
  /** The underlying error. */
  cause?: unknown;
}

/**
 * A failed registry request, with the evidence: method, redacted URL, status, the registry's
 * error codes and whether a retry may help. Its message never contains a registered secret.
 */
export class RegistryError extends UserError {
  /** The HTTP method of the failed request. */
  readonly method?: string;
  /** The request URL with credentials and signed query values removed. */
  readonly url?: string;
  /** The HTTP status, when a response came back. */
  readonly status?: number;
  /** The registry's error codes (`errors[].code/message` of the body). */
  readonly codes: RegistryErrorCode[];
  /** Whether trying again later may succeed. */
  readonly retryable: boolean;

  constructor(message: string, details: RegistryErrorDetails = {}) {
    super(redactText(message), {
      exitCode: details.exitCode ?? exitCodeFor(details.status),
      hint: details.hint === undefined ? undefined : redactText(details.hint),
      cause: details.cause,
    });
    this.name = "RegistryError";
    this.method = details.method;
    this.url = details.url === undefined ? undefined : redactUrl(details.url);
    this.status = details.status;
    this.codes = details.codes ?? [];
    this.retryable = details.retryable ?? false;
    // The stack starts with the message; rebuild it so it holds the redacted one only.
    if (this.stack !== undefined) this.stack = redactText(this.stack);
  }
}

function exitCodeFor(status: number | undefined): ExitCode {
  if (status === 401 || status === 403) return ExitCode.auth;
  if (status === undefined) return ExitCode.environment;
  return ExitCode.failed;
}

/** True for the statuses worth retrying: 408, 429 and 5xx other than 501 and 505. */
export function isRetryableStatus(status: number): boolean {
  if (status === 408 || status === 429) return true;
  return status >= 500 && status !== 501 && status !== 505;
}

/** Reads the registry's error codes from a JSON error body; anything else gives none. */
export function parseErrorCodes(body: string): RegistryErrorCode[] {
  try {
    const parsed: unknown = JSON.parse(body);
    const errors = (parsed as { errors?: unknown })?.errors;
    if (!Array.isArray(errors)) return [];
    return errors
      .filter((entry) => typeof entry?.code === "string")
      .map((entry) => ({
        code: entry.code as string,
        message: typeof entry.message === "string" ? entry.message : undefined,
      }));
  } catch {
    return [];
  }
}

/**
 * The error for an unexpected response: `GET <url> failed: 404 Not Found (MANIFEST_UNKNOWN:
 * manifest unknown)`. Reads (and so consumes) the response body.
 */
export async function errorFromResponse(
  method: string,
  url: string | URL,
  response: Response,
): Promise<RegistryError> {
  const body = await response.text().catch(() => "");
  const codes = parseErrorCodes(body);
  const described = codes.map((c) => (c.message ? `${c.code}: ${c.message}` : c.code)).join("; ");
  const suffix = described === "" ? "" : ` (${described})`;
  return new RegistryError(
    `${method} ${redactUrl(url)} failed: ${response.status} ${response.statusText}${suffix}`,
    { method, url, status: response.status, codes, retryable: isRetryableStatus(response.status) },
  );
}
