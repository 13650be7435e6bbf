import http from "node:http";
import type { AddressInfo } from "node:net";

/** What a proxy rule decides for one request: pass, answer itself, hold the answer, or hang. */
export type ProxyVerdict =
  | undefined
  | { status: number; headers?: Record<string, string>; body?: string }
  | { holdAnswerMs: number }
  | "hang";

/**
 * A pass-through HTTP proxy in front of one of the fake API servers. Its `rule` lets a test
 * delay the upstream's answer after the upstream has acted on the request, answer in its place
 * (a 502 page, a 429) or never answer, for one replica only.
 */
export class FaultProxy {
  rule: (req: http.IncomingMessage, url: URL) => ProxyVerdict = () => undefined;
  /** Every request seen, with the status returned when known. */
  readonly hits: { at: number; what: string; status?: number }[] = [];
  readonly #target: URL;
  readonly #server = http.createServer((req, res) => this.#handle(req, res));
  url = "";

  constructor(target: string) {
    this.#target = new URL(target);
  }

  /** Starts listening on a loopback port; `url` has no path. */
  async start(): Promise<this> {
    await new Promise<void>((r) => this.#server.listen(0, "127.0.0.1", r));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  /** Drops every connection and stops. */
  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((r) => this.#server.close(r));
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://x");
    const hit: { at: number; what: string; status?: number } = {
      at: Date.now(),
      what: `${req.method} ${url.pathname}`,
    };
    this.hits.push(hit);
    const verdict = this.rule(req, url);
    if (verdict === "hang") {
      req.resume();
      return;
    }
    if (verdict && "status" in verdict) {
      hit.status = verdict.status;
      req.resume();
      const headers = { "content-type": "application/json", ...verdict.headers };
      res.writeHead(verdict.status, headers).end(verdict.body ?? "{}");
      return;
    }
    const holdMs = verdict?.holdAnswerMs ?? 0;
    const upstream = http.request(
      { host: this.#target.hostname, port: this.#target.port, path: req.url, method: req.method },
      (answer) => {
        hit.status = answer.statusCode;
        const chunks: Buffer[] = [];
        answer.on("data", (c: Buffer) => chunks.push(c));
        answer.on("end", () =>
          setTimeout(() => {
            res.writeHead(answer.statusCode ?? 502, answer.headers).end(Buffer.concat(chunks));
          }, holdMs),
        );
      },
    );
    for (const [name, value] of Object.entries(req.headers))
      if (value !== undefined && name !== "host") upstream.setHeader(name, value);
    upstream.on("error", () => res.destroy());
    res.on("close", () => upstream.destroy());
    req.pipe(upstream);
  }
}
