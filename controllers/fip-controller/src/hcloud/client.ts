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
    const text = await response.text();
    const json: unknown = text === "" ? {} : JSON.parse(text);
    if (response.ok) return json;
    const apiError = (json as { error?: { code?: string; message?: string } }).error;
    const retryable = response.status === 429 || response.status >= 500;
    throw new HcloudError(
      `${method} ${path}: ${response.status} ${apiError?.code ?? ""} ${apiError?.message ?? ""}`.trim(),
      { method, path, status: response.status, code: apiError?.code, retryable },
    );
  }

  /**
   * Hetzner sends RateLimit-Limit/-Remaining/-Reset (reset: Unix seconds when the bucket is
   * full again). With nothing remaining, or on 429, requests wait until the next token refills.
   */
  #noteRateLimit(response: Response): void {
    const remaining = Number(response.headers.get("ratelimit-remaining") ?? Number.NaN);
    const limit = Number(response.headers.get("ratelimit-limit") ?? Number.NaN);
    const reset = Number(response.headers.get("ratelimit-reset") ?? Number.NaN);
    if (response.status !== 429 && !(remaining <= 0)) return;
    // The bucket refills one request per (3600 s / limit); wait for one, not the whole reset.
    const perToken = Number.isFinite(limit) && limit > 0 ? 3_600_000 / limit : 1000;
    const untilReset = Number.isFinite(reset) ? reset * 1000 - Date.now() : perToken;
    this.#holdUntil = Date.now() + Math.max(0, Math.min(perToken, untilReset));
  }
}
