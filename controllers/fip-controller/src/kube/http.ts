import http from "node:http";
import https from "node:https";
import { createInterface } from "node:readline";
import type { KubeConfig } from "@kubernetes/client-node";

/** A watch refused with an error status. */
export class WatchStatusError extends Error {
  override name = "WatchStatusError";
  readonly status: number | undefined;

  constructor(message: string, status: number | undefined) {
    super(message);
    this.status = status;
  }
}

/** A Kubernetes API answer: status and parsed JSON body. */
export interface KubeResponse {
  status: number;
  body: Record<string, unknown>;
}

/**
 * Talks to the API server over node:http(s), with the address, CA and credentials that
 * client-node's KubeConfig resolves (in-cluster service account or kubeconfig). The raw
 * transport keeps resourceVersion, 409 and 410 handling and the watch stream in plain sight.
 */
export class KubeHttp {
  readonly #config: KubeConfig;
  readonly #server: URL;

  constructor(config: KubeConfig) {
    const cluster = config.getCurrentCluster();
    if (!cluster) throw new Error("the kubeconfig names no current cluster");
    this.#config = config;
    this.#server = new URL(cluster.server);
  }

  /**
   * Sends one request; resolves with any status (callers decide what 404/409 mean). The whole
   * exchange, answer body included, must end within `timeoutMs`: a held answer cannot outlive it.
   */
  async request(
    method: string,
    path: string,
    body?: unknown,
    timeoutMs = 10_000,
  ): Promise<KubeResponse> {
    const req = await this.#open(method, path, timeoutMs);
    const timer = setTimeout(
      () => req.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    try {
      const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
        req.on("response", resolve).on("error", reject);
        req.end(body === undefined ? undefined : JSON.stringify(body));
      });
      let text = "";
      for await (const chunk of response) text += chunk;
      return { status: response.statusCode ?? 0, body: parseBody(text, method, path) };
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Opens a watch and hands each event line to `onEvent` until the server ends the stream, the
   * signal aborts, or no byte (not even a bookmark) arrives for `idleMs`.
   */
  async watch(
    path: string,
    onEvent: (event: Record<string, unknown>) => void,
    signal: AbortSignal,
    idleMs = 300_000,
  ): Promise<void> {
    const req = await this.#open("GET", path, idleMs);
    const abort = () => req.destroy(new Error("watch aborted"));
    signal.addEventListener("abort", abort, { once: true });
    try {
      const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
        req.on("response", resolve).on("error", reject);
        req.end();
      });
      if (response.statusCode !== 200) {
        response.resume();
        throw new WatchStatusError(
          `watch ${path}: HTTP ${response.statusCode}`,
          response.statusCode,
        );
      }
      for await (const line of createInterface({ input: response, crlfDelay: Infinity })) {
        if (line.trim() !== "") onEvent(JSON.parse(line) as Record<string, unknown>);
      }
    } finally {
      signal.removeEventListener("abort", abort);
      req.destroy();
    }
  }

  async #open(method: string, path: string, timeoutMs: number): Promise<http.ClientRequest> {
    const url = new URL(path, this.#server);
    const options: https.RequestOptions = {
      method,
      headers: { accept: "application/json", "content-type": "application/json" },
    };
    // Adds the CA, client certificates and the bearer token (re-read from the projected file).
    await this.#config.applyToHTTPSOptions(options);
    const transport = url.protocol === "https:" ? https : http;
    const req = transport.request(url, options);
    req.setTimeout(timeoutMs, () =>
      req.destroy(new Error(`${method} ${url.pathname}: no answer within ${timeoutMs} ms`)),
    );
    return req;
  }
}

/** Parses a JSON answer; a non-JSON body (a proxy's error page) becomes a clear error. */
function parseBody(text: string, method: string, path: string): Record<string, unknown> {
  if (text === "") return {};
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new Error(`${method} ${path}: the answer is not JSON`);
  }
}
