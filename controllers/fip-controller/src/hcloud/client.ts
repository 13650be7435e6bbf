import { setTimeout as sleep } from "node:timers/promises";
import type { z } from "zod";
import { Action, FloatingIp, Pagination, Server } from "./types.ts";

/** A failed Hetzner Cloud API call: method, path, status, the API's error code, retryability. */
export class HcloudError extends Error {
  override name = "HcloudError";
  readonly method: string;
  readonly path: string;
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly retryable: boolean;

  constructor(
    message: string,
    fields: { method: string; path: string; status?: number; code?: string; retryable: boolean },
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.method = fields.method;
    this.path = fields.path;
    this.status = fields.status;
    this.code = fields.code;
    this.retryable = fields.retryable;
  }
}

/** Options of {@link HcloudClient}. */
export interface HcloudClientOptions {
  endpoint: string;
  token: string;
  /** Sent as User-Agent, so the API side can tell controller instances apart. */
  userAgent: string;
  /** Called once per HTTP response (status code) or failure ("error"). */
  onResponse?: (status: string) => void;
  attempts?: number;
  timeoutMs?: number;
}

/** A small Hetzner Cloud API client on fetch: retries, rate limits, action polling. */
export class HcloudClient {
  readonly #options: Required<Omit<HcloudClientOptions, "onResponse">> & HcloudClientOptions;
  /** Until when the rate limit says to hold requests (epoch ms). */
  #holdUntil = 0;

  constructor(options: HcloudClientOptions) {
    this.#options = { attempts: 5, timeoutMs: 10_000, ...options };
  }

  /** Lists floating IPs, all pages, optionally filtered by a label selector. */
  async listFloatingIps(labelSelector?: string, signal?: AbortSignal): Promise<FloatingIp[]> {
    return this.#listAll("/floating_ips", "floating_ips", FloatingIp, labelSelector, signal);
  }

  /** Lists servers, all pages. */
  async listServers(signal?: AbortSignal): Promise<Server[]> {
    return this.#listAll("/servers", "servers", Server, undefined, signal);
  }

  /** Starts the assign action of a floating IP to a server (no unassign ever precedes it). */
  async assignFloatingIp(ipId: number, serverId: number, signal?: AbortSignal): Promise<Action> {
    const body = await this.#request(
      "POST",
      `/floating_ips/${ipId}/actions/assign`,
      { server: serverId },
      signal,
    );
    return Action.parse((body as { action: unknown }).action);
  }

  /** Polls an action until it ends; resolves on success, throws HcloudError on error. */
  async waitForAction(action: Action, signal?: AbortSignal): Promise<Action> {
    let current = action;
    let delay = 100;
    while (current.status === "running") {
      await sleep(delay, undefined, { signal });
      delay = Math.min(delay * 1.5, 1000);
      const body = await this.#request("GET", `/actions/${current.id}`, undefined, signal);
      current = Action.parse((body as { action: unknown }).action);
    }
    if (current.status === "error") {
      const code = current.error?.code ?? "unknown";
      throw new HcloudError(
        `action ${current.id} (${current.command}) ended in error ${code}: ${current.error?.message ?? ""}`,
        { method: "GET", path: `/actions/${current.id}`, code, retryable: true },
      );
    }
    return current;
  }

  async #listAll<T>(
    path: string,
    key: string,
    schema: z.ZodType<T>,
    selector: string | undefined,
    signal?: AbortSignal,
  ): Promise<T[]> {
    const items: T[] = [];
    for (let page: number | null = 1; page !== null; ) {
      const query = new URLSearchParams({ page: String(page), per_page: "50" });
      if (selector) query.set("label_selector", selector);
      const body = (await this.#request("GET", `${path}?${query}`, undefined, signal)) as Record<
        string,
        unknown
      >;
      for (const item of (body[key] as unknown[]) ?? []) items.push(schema.parse(item));
      page = Pagination.parse(body).meta?.pagination?.next_page ?? null;
    }
    return items;
  }

  /** One API call with retries: 429 and 5xx and network failures back off and try again. */
  async #request(
    method: string,
    path: string,
    body: unknown,
    signal?: AbortSignal,
  ): Promise<unknown> {
    let last: HcloudError | undefined;
    for (let attempt = 0; attempt < this.#options.attempts; attempt++) {
      await this.#waitForBudget(attempt, signal);
      try {
        return await this.#once(method, path, body, signal);
      } catch (error) {
        if (!(error instanceof HcloudError) || !error.retryable || signal?.aborted) throw error;
        last = error;
      }
    }
    throw new HcloudError(
      `${method} ${path} failed after ${this.#options.attempts} attempts`,
      { method, path, status: last?.status, code: last?.code, retryable: true },
      { cause: last },
    );
  }

  async #waitForBudget(attempt: number, signal?: AbortSignal): Promise<void> {
    const backoff =
      attempt === 0 ? 0 : Math.min(200 * 2 ** (attempt - 1), 5000) * (0.75 + Math.random() / 2);
    const hold = Math.max(0, this.#holdUntil - Date.now());
    const wait = Math.max(backoff, hold);
    if (wait > 0) await sleep(wait, undefined, { signal });
  }

  async #once(method: string, path: string, body: unknown, signal?: AbortSignal): Promise<unknown> {
    const timeout = AbortSignal.timeout(this.#options.timeoutMs);
    let response: Response;
    try {
      response = await fetch(`${this.#options.endpoint}${path}`, {
        method,
        // The token travels only in this header; errors carry method and path, never headers.
        headers: {
          authorization: `Bearer ${this.#options.token}`,
          "content-type": "application/json",
          "user-agent": this.#options.userAgent,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (cause) {
      this.#options.onResponse?.("error");
      throw new HcloudError(
        `${method} ${path}: ${(cause as Error).name}`,
        { method, path, retryable: !signal?.aborted },
        { cause },
      );
    }
    this.#options.onResponse?.(String(response.status));
    this.#noteRateLimit(response);
    const retryable = response.status === 429 || response.status >= 500;
    const text = await response.text();
    let json: unknown;
    try {
      json = text === "" ? {} : JSON.parse(text);
    } catch {
      // A proxy's HTML error page: an HTTP error like any other, retryable when 5xx.
      throw new HcloudError(`${method} ${path}: ${response.status} with a non-JSON answer`, {
        method,
        path,
        status: response.status,
        retryable,
      });
    }
    if (response.ok) return json;
    const apiError = (json as { error?: { code?: string; message?: string } }).error;
    throw new HcloudError(
      `${method} ${path}: ${response.status} ${apiError?.code ?? ""} ${apiError?.message ?? ""}`.trim(),
      { method, path, status: response.status, code: apiError?.code, retryable },
    );
  }

  /**
   * Holds every request of this client (not only the one answered) as the API asks: for a
   * Retry-After, or with RateLimit-Remaining at 0 until RateLimit-Reset (Unix seconds), at most
   * 15 minutes either way. A 429 that says neither waits one token's refill (3600 s / limit).
   */
  #noteRateLimit(response: Response): void {
    const header = (name: string) => response.headers.get(name) ?? undefined;
    const remaining = Number(header("ratelimit-remaining") ?? Number.NaN);
    const limit = Number(header("ratelimit-limit") ?? Number.NaN);
    const reset = Number(header("ratelimit-reset") ?? Number.NaN);
    const now = Date.now();
    let waitMs = 0;
    const retryAfter = retryAfterMs(header("retry-after"), now);
    if (retryAfter !== undefined) waitMs = retryAfter;
    else if (remaining <= 0 && Number.isFinite(reset)) waitMs = reset * 1000 - now;
    else if (response.status === 429)
      waitMs = Number.isFinite(limit) && limit > 0 ? 3_600_000 / limit : 1000;
    if (waitMs <= 0) return;
    this.#holdUntil = Math.max(this.#holdUntil, now + Math.min(waitMs, maxHoldMs));
  }
}

/** The longest a rate-limit answer may hold the client. */
const maxHoldMs = 15 * 60_000;

/** Reads Retry-After: delay seconds or an HTTP date; undefined when absent or unreadable. */
function retryAfterMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : at - now;
}
