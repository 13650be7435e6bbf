import http from "node:http";
import type { AddressInfo } from "node:net";

/** One assign request the server received. */
export interface AssignRecord {
  at: number;
  ip: number;
  server: number;
  /** The calling controller, read from its User-Agent `fip-controller/<v> (<identity>)`. */
  identity: string;
  outcome: "success" | "error" | "running";
  /** When the action ended. */
  doneAt?: number;
}

interface Fip {
  id: number;
  name: string;
  ip: string;
  type: "ipv4" | "ipv6";
  server: number | null;
  labels: Record<string, string>;
}

interface ServerRecord {
  id: number;
  name: string;
  public_net: { ipv4: { ip: string } | null; ipv6: { ip: string } | null };
}

interface ActionRecord {
  id: number;
  command: string;
  status: "running" | "success" | "error";
  error: { code: string; message: string } | null;
}

/**
 * An in-process Hetzner Cloud API server over HTTP: floating IPs (ipv4 and ipv6 /64), servers,
 * the assign action that runs for `actionLatencyMs` and then succeeds or fails, `/actions/{id}`,
 * RateLimit-* headers, injected 429 and 5xx answers, request counting and assign records.
 */
export class HcloudApiServer {
  readonly floatingIps: Fip[] = [];
  readonly servers: ServerRecord[] = [];
  readonly actions = new Map<number, ActionRecord>();
  readonly assigns: AssignRecord[] = [];
  /** Every request as "METHOD /path" (query excluded) with its time. */
  readonly requests: { at: number; what: string; identity: string }[] = [];
  actionLatencyMs = 200;
  /** How many upcoming assign actions end in error. */
  failActions = 0;
  /** Upcoming requests answered with these statuses first (e.g. [429, 503]). */
  inject: number[] = [];
  /** Called on each assign: lets a test check the caller held the lease at that moment. */
  onAssign: ((record: AssignRecord) => void) | undefined;
  rateLimit = 3600;
  #remaining = 3600;
  #nextAction = 1000;
  readonly #server = http.createServer((req, res) => this.#route(req, res));
  /** Running actions' timers, cleared on stop so a stuck action does not hold the test open. */
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly token: string;
  url = "";

  constructor(token: string) {
    this.token = token;
  }

  /** Starts listening on a loopback port; `url` is the API endpoint (ending in /v1). */
  async start(): Promise<this> {
    await new Promise<void>((r) => this.#server.listen(0, "127.0.0.1", r));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/v1`;
    return this;
  }

  /** Stops the server. */
  async stop(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#server.closeAllConnections();
    await new Promise((r) => this.#server.close(r));
  }

  /** Adds a server with its public IPv4 and IPv6 /64. */
  addServer(id: number, name: string, ipv4: string, ipv6Net: string): void {
    this.servers.push({ id, name, public_net: { ipv4: { ip: ipv4 }, ipv6: { ip: ipv6Net } } });
  }

  /** Adds a floating IP (`ip` an address for ipv4, a /64 network for ipv6). */
  addFloatingIp(
    id: number,
    ip: string,
    server: number | null,
    labels: Record<string, string> = {},
  ): void {
    this.floatingIps.push({
      id,
      name: `fip-${id}`,
      ip,
      type: ip.includes(":") ? "ipv6" : "ipv4",
      server,
      labels,
    });
  }

  /** Where a floating IP points now. */
  serverOf(id: number): number | null {
    return this.floatingIps.find((f) => f.id === id)?.server ?? null;
  }

  #route(req: http.IncomingMessage, res: http.ServerResponse): true | undefined {
    const url = new URL(req.url ?? "/", "http://x");
    const identity = /\(([^)]+)\)/.exec(req.headers["user-agent"] ?? "")?.[1] ?? "";
    this.requests.push({ at: Date.now(), what: `${req.method} ${url.pathname}`, identity });
    this.#remaining = Math.max(0, this.#remaining - 1);
    res.setHeader("RateLimit-Limit", String(this.rateLimit));
    res.setHeader("RateLimit-Remaining", String(this.#remaining));
    res.setHeader(
      "RateLimit-Reset",
      String(Math.floor(Date.now() / 1000) + (this.rateLimit - this.#remaining)),
    );
    if (req.headers.authorization !== `Bearer ${this.token}`)
      return send(res, 401, apiError("unauthorized", "unable to authenticate"));
    const injected = this.inject.shift();
    if (injected === 429)
      return send(
        res,
        429,
        apiError("rate_limit_exceeded", "limit of 3600 requests per hour reached"),
      );
    if (injected !== undefined)
      return send(res, injected, apiError("service_error", "injected failure"));
    let text = "";
    req
      .on("data", (c) => (text += c))
      .on("end", () => this.#handle(req.method ?? "GET", url, text, identity, res));
  }

  #handle(
    method: string,
    url: URL,
    text: string,
    identity: string,
    res: http.ServerResponse,
  ): true | undefined {
    if (method === "GET" && url.pathname === "/v1/floating_ips") {
      const selector = url.searchParams.get("label_selector");
      const items = this.floatingIps.filter(
        (f) =>
          !selector ||
          selector
            .split(",")
            .every((kv) => f.labels[kv.split("=")[0] as string] === kv.split("=")[1]),
      );
      return send(res, 200, page(url, "floating_ips", items));
    }
    if (method === "GET" && url.pathname === "/v1/servers")
      return send(res, 200, page(url, "servers", this.servers));
    const action = /^\/v1\/actions\/(\d+)$/.exec(url.pathname);
    if (method === "GET" && action) {
      const found = this.actions.get(Number(action[1]));
      return found
        ? send(res, 200, { action: found })
        : send(res, 404, apiError("not_found", "action not found"));
    }
    const assign = /^\/v1\/floating_ips\/(\d+)\/actions\/assign$/.exec(url.pathname);
    if (method === "POST" && assign)
      return this.#assign(Number(assign[1]), JSON.parse(text || "{}"), identity, res);
    send(res, 404, apiError("not_found", `${method} ${url.pathname} not found`));
  }

  #assign(
    ipId: number,
    body: { server?: number },
    identity: string,
    res: http.ServerResponse,
  ): true {
    const fip = this.floatingIps.find((f) => f.id === ipId);
    const server =
      this.servers.find((s) => s.id === body.server) ??
      (body.server !== undefined ? { id: body.server } : undefined);
    if (!fip || !server)
      return send(res, 404, apiError("not_found", "floating IP or server not found"));
    const record: AssignRecord = {
      at: Date.now(),
      ip: ipId,
      server: server.id,
      identity,
      outcome: "running",
    };
    this.assigns.push(record);
    this.onAssign?.(record);
    const act: ActionRecord = {
      id: this.#nextAction++,
      command: "assign_floating_ip",
      status: "running",
      error: null,
    };
    this.actions.set(act.id, act);
    const fail = this.failActions > 0;
    if (fail) this.failActions--;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (fail) {
        act.status = "error";
        act.error = { code: "action_failed", message: "injected action failure" };
      } else {
        act.status = "success";
        fip.server = server.id;
      }
      record.outcome = act.status;
      record.doneAt = Date.now();
    }, this.actionLatencyMs);
    this.#timers.add(timer);
    return send(res, 201, { action: act });
  }
}

function page(url: URL, key: string, all: unknown[]) {
  const perPage = Number(url.searchParams.get("per_page") ?? "25");
  const pageNo = Number(url.searchParams.get("page") ?? "1");
  const items = all.slice((pageNo - 1) * perPage, pageNo * perPage);
  const last = Math.max(1, Math.ceil(all.length / perPage));
  return {
    [key]: items,
    meta: {
      pagination: {
        page: pageNo,
        per_page: perPage,
        last_page: last,
        next_page: pageNo < last ? pageNo + 1 : null,
        total_entries: all.length,
      },
    },
  };
}

function apiError(code: string, message: string) {
  return { error: { code, message } };
}

function send(res: http.ServerResponse, code: number, body: unknown): true {
  res.writeHead(code, { "content-type": "application/json" }).end(JSON.stringify(body));
  return true;
}
