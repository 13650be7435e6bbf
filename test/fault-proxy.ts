import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";

/** A fault the proxy injects instead of forwarding a request. */
export interface Fault {
  /** The status to answer with; `reset` drops the connection without an answer. */
  status: number | "reset";
  /** How many matching requests get this fault before it stops. */
  times: number;
  /** Extra response headers, such as `retry-after`. */
  headers?: Record<string, string>;
  /** The response body (default: a registry error body with code INJECTED). */
  body?: string;
  /** Only requests this accepts get the fault (default: all). */
  match?: (method: string, path: string) => boolean;
}

/** A running fault proxy. */
export interface FaultProxy {
  /** `127.0.0.1:<port>`: use it as the registry host. */
  host: string;
  /** Requests received, faults included. */
  readonly received: number;
  /** Every request received: method, path and headers. */
  readonly log: { method: string; path: string; headers: IncomingHttpHeaders }[];
  /** Faults injected so far. */
  readonly injected: number;
  /** Stops the proxy. */
  stop(): Promise<void>;
}

/** Options of a fault proxy beyond its faults. */
export interface FaultProxyOptions {
  /**
   * Answer `GET /v2/<name>/tags/list` in pages of `n` with a `Link` header, over the real tag
   * list. Debian's distribution registry (2.8) ignores `n` and `last` on tag lists and never
   * sends Link (pagination of tags arrived in distribution 3), so without this no page would
   * ever follow another here. The pages follow the distribution API spec: tags in lexical
   * order, those after `last`, at most `n`, and `Link: </v2/<name>/tags/list?last=…&n=…>; rel="next"`.
   */
  paginateTags?: boolean;
}

/**
 * Starts an HTTP proxy on loopback in front of a real registry (`upstream` is `host:port`). It
 * injects the faults, in order, into the first matching requests, then forwards everything
 * unchanged, Host header included, so the registry's Location and Link headers point at the
 * proxy.
 */
export async function startFaultProxy(
  upstream: string,
  faults: Fault[],
  options: FaultProxyOptions = {},
): Promise<FaultProxy> {
  const remaining = faults.map((fault) => ({ ...fault }));
  const counts = { received: 0, injected: 0 };
  const log: FaultProxy["log"] = [];
  const [upstreamHost = "127.0.0.1", upstreamPort = "80"] = upstream.split(":");

  const server = createServer((request, response) => {
    counts.received++;
    const method = request.method ?? "GET";
    log.push({ method, path: request.url ?? "/", headers: request.headers });
    const fault = remaining.find(
      (f) => f.times > 0 && (f.match?.(method, request.url ?? "/") ?? true),
    );
    if (fault !== undefined) {
      fault.times--;
      counts.injected++;
      if (fault.status === "reset") {
        request.socket.destroy();
        return;
      }
      const body =
        fault.body ??
        JSON.stringify({
          errors: [{ code: "INJECTED", message: `injected ${fault.status}` }],
        });
      response.writeHead(fault.status, { "content-type": "application/json", ...fault.headers });
      response.end(body);
      return;
    }

    if (
      options.paginateTags &&
      method === "GET" &&
      /^\/v2\/.+\/tags\/list(\?|$)/.test(request.url ?? "")
    ) {
      answerTagPage(upstream, request, response);
      return;
    }

    const forwarded = httpRequest(
      {
        host: upstreamHost,
        port: Number(upstreamPort),
        method,
        path: request.url,
        headers: request.headers,
      },
      (upstreamResponse) => {
        response.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
        upstreamResponse.pipe(response);
      },
    );
    forwarded.on("error", () => response.destroy());
    request.pipe(forwarded);
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    host: `127.0.0.1:${port}`,
    get received() {
      return counts.received;
    },
    log,
    get injected() {
      return counts.injected;
    },
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function answerTagPage(
  upstream: string,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const url = new URL(request.url ?? "/", "http://proxy");
  const headers: Record<string, string> = {};
  if (request.headers.authorization) headers.authorization = request.headers.authorization;
  const full = await fetch(`http://${upstream}${url.pathname}`, { headers });
  if (!full.ok) {
    response.writeHead(full.status, { "content-type": "application/json" });
    response.end(await full.text());
    return;
  }

  const { name, tags } = (await full.json()) as { name: string; tags: string[] | null };
  const sorted = [...(tags ?? [])].sort();
  const last = url.searchParams.get("last");
  const n = Number(url.searchParams.get("n") ?? sorted.length);
  const after = last === null ? sorted : sorted.filter((tag) => tag > last);
  const page = after.slice(0, n);

  const pageHeaders: Record<string, string> = { "content-type": "application/json" };
  if (after.length > page.length) {
    const next = new URLSearchParams({ last: page.at(-1) ?? "", n: String(n) });
    pageHeaders.link = `<${url.pathname}?${next}>; rel="next"`;
  }
  response.writeHead(200, pageHeaders);
  response.end(JSON.stringify({ name, tags: page }));
}
