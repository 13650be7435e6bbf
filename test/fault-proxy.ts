import { createServer, request as httpRequest, type IncomingHttpHeaders } from "node:http";
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

/**
 * Starts an HTTP proxy on loopback in front of a real registry (`upstream` is `host:port`). It
 * injects the faults, in order, into the first matching requests, then forwards everything
 * unchanged, Host header included, so the registry's Location and Link headers point at the
 * proxy.
 */
export async function startFaultProxy(upstream: string, faults: Fault[]): Promise<FaultProxy> {
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
