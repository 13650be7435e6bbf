import http from "node:http";
import type { AddressInfo } from "node:net";
import type { KubeNode } from "../src/reconcile.ts";

/** A Lease as stored: the fields the fake reads, everything else kept as sent. */
type LeaseBody = {
  metadata?: { name?: string; resourceVersion?: string; [key: string]: unknown };
  spec?: { holderIdentity?: string; [key: string]: unknown };
  [key: string]: unknown;
};

type WatchEvent = { type: "ADDED" | "MODIFIED" | "DELETED"; object: KubeNode; rv: number };

/** A lease write the server accepted, for checking who held the lease when. */
export interface LeaseWrite {
  at: number;
  holder: string;
}

/**
 * An in-process Kubernetes API server speaking the real protocol over HTTP for the two resources
 * the controller uses: Nodes (list, streaming watch from a resourceVersion, 410 Gone for
 * compacted versions) and coordination.k8s.io/v1 Leases (optimistic concurrency, 409 Conflict).
 */
export class KubeApiServer {
  readonly nodes = new Map<string, KubeNode>();
  readonly leases = new Map<string, LeaseBody>();
  readonly leaseWrites: LeaseWrite[] = [];
  /** Lists of nodes served, to check relists. */
  nodeLists = 0;
  /** While true, every lease request gets 503 (an API server the leader cannot reach). */
  leaseOutage = false;
  watchesOpened = 0;
  #rv = 1;
  #history: WatchEvent[] = [];
  /** Watches from before this version get 410 Gone. */
  #oldest = 0;
  readonly #watchers = new Set<{ res: http.ServerResponse; since: number }>();
  readonly #server = http.createServer((req, res) => this.#route(req, res));
  url = "";

  /** Starts listening on a loopback port. */
  async start(): Promise<this> {
    await new Promise<void>((r) => this.#server.listen(0, "127.0.0.1", r));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  /** Ends open watches and stops the server. */
  async stop(): Promise<void> {
    for (const w of this.#watchers) w.res.end();
    this.#server.closeAllConnections();
    await new Promise((r) => this.#server.close(r));
  }

  /**
   * A kubeconfig (YAML) pointing at this server (or a proxy in front of it) over plain http. client-node refuses an http
   * server unless the cluster says insecure-skip-tls-verify, so the fake says it.
   */
  kubeconfig(server = this.url): string {
    return `apiVersion: v1\nkind: Config\nclusters:\n- name: fake\n  cluster:\n    server: ${server}\n    insecure-skip-tls-verify: true\nusers:\n- name: fake\n  user:\n    token: kube-token\ncontexts:\n- name: fake\n  context:\n    cluster: fake\n    user: fake\ncurrent-context: fake\n`;
  }

  /** Adds a Ready node backed by an Hetzner server (providerID omitted when `server` is undefined). */
  addNode(
    name: string,
    options: { server?: number; addresses?: string[]; labels?: Record<string, string> } = {},
  ): void {
    const node: KubeNode = {
      metadata: { name, labels: { "kubernetes.io/hostname": name, ...options.labels } },
      spec: options.server === undefined ? {} : { providerID: `hcloud://${options.server}` },
      status: {
        conditions: [{ type: "Ready", status: "True" }],
        addresses: (options.addresses ?? []).map((address) => ({ type: "ExternalIP", address })),
      },
    };
    this.#emit("ADDED", node);
  }

  /** Changes a node through a mutator and emits MODIFIED. */
  updateNode(name: string, mutate: (node: KubeNode) => void): void {
    const node = structuredClone(this.nodes.get(name));
    if (!node) throw new Error(`no node ${name}`);
    mutate(node);
    this.#emit("MODIFIED", node);
  }

  /** Sets Ready to False (and the not-ready taint, as the node lifecycle controller would). */
  setReady(name: string, ready: boolean): void {
    this.updateNode(name, (node) => {
      node.status = {
        ...node.status,
        conditions: [{ type: "Ready", status: ready ? "True" : "False" }],
      };
      const taints = (node.spec?.taints ?? []).filter(
        (t) => t.key !== "node.kubernetes.io/not-ready",
      );
      if (!ready) taints.push({ key: "node.kubernetes.io/not-ready", effect: "NoSchedule" });
      node.spec = { ...node.spec, taints };
    });
  }

  /** Cordons or uncordons a node. */
  setCordoned(name: string, cordoned: boolean): void {
    this.updateNode(name, (node) => {
      node.spec = { ...node.spec, unschedulable: cordoned };
    });
  }

  /**
   * Compacts history the way etcd does: watches from versions before now get 410 Gone, and
   * open watches receive the 410 ERROR event and end (as when the watch cache falls behind).
   */
  compact(): void {
    this.#history = [];
    this.#oldest = this.#rv;
    for (const w of this.#watchers) w.res.end(`${JSON.stringify(gone)}\n`);
    this.#watchers.clear();
  }

  /** The lease's current holder, as the API server sees it. */
  holder(namespace: string, name: string): string {
    return this.leases.get(`${namespace}/${name}`)?.spec?.holderIdentity ?? "";
  }

  #emit(type: WatchEvent["type"], node: KubeNode): void {
    const rv = ++this.#rv;
    node.metadata.resourceVersion = String(rv);
    if (type === "DELETED") this.nodes.delete(node.metadata.name);
    else this.nodes.set(node.metadata.name, node);
    const event = { type, object: structuredClone(node), rv };
    this.#history.push(event);
    for (const w of this.#watchers)
      w.res.write(`${JSON.stringify({ type, object: event.object })}\n`);
  }

  #route(req: http.IncomingMessage, res: http.ServerResponse): true | undefined {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/api/v1/nodes") {
      if (url.searchParams.get("watch") === "1" || url.searchParams.get("watch") === "true")
        this.#watch(url, res);
      else {
        this.nodeLists++;
        send(res, 200, {
          kind: "NodeList",
          apiVersion: "v1",
          metadata: { resourceVersion: String(this.#rv) },
          items: [...this.nodes.values()],
        });
      }
      return;
    }
    const lease =
      /^\/apis\/coordination\.k8s\.io\/v1\/namespaces\/([^/]+)\/leases(?:\/([^/]+))?$/.exec(
        url.pathname,
      );
    if (!lease) return send(res, 404, status(404, "NotFound", `${url.pathname} not found`));
    if (this.leaseOutage)
      return send(res, 503, status(503, "ServiceUnavailable", "etcd unavailable"));
    let text = "";
    req
      .on("data", (c) => (text += c))
      .on("end", () => this.#lease(req.method ?? "GET", lease[1] as string, lease[2], text, res));
  }

  #watch(url: URL, res: http.ServerResponse): true | undefined {
    const since = Number(url.searchParams.get("resourceVersion") ?? "0");
    res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
    if (since < this.#oldest) {
      res.end(`${JSON.stringify(gone)}\n`);
      return;
    }
    for (const e of this.#history)
      if (e.rv > since) res.write(`${JSON.stringify({ type: e.type, object: e.object })}\n`);
    const watcher = { res, since };
    this.#watchers.add(watcher);
    this.watchesOpened++;
    res.on("close", () => this.#watchers.delete(watcher));
  }

  #lease(
    method: string,
    ns: string,
    name: string | undefined,
    text: string,
    res: http.ServerResponse,
  ): true | undefined {
    const body = text === "" ? {} : JSON.parse(text);
    const key = `${ns}/${name ?? body.metadata?.name}`;
    const current = this.leases.get(key);
    if (method === "GET")
      return current
        ? send(res, 200, current)
        : send(res, 404, status(404, "NotFound", `leases "${name}" not found`));
    const bad = badMicroTime(body);
    if ((method === "POST" || method === "PUT") && bad)
      return send(res, 400, status(400, "BadRequest", `spec: invalid MicroTime ${bad}`));
    if (method === "POST") {
      if (current)
        return send(
          res,
          409,
          status(409, "AlreadyExists", `leases "${body.metadata?.name}" already exists`),
        );
      return send(res, 201, this.#store(key, body));
    }
    if (method === "PUT") {
      if (!current) return send(res, 404, status(404, "NotFound", `leases "${name}" not found`));
      if (body.metadata?.resourceVersion !== current.metadata?.resourceVersion) {
        return send(
          res,
          409,
          status(
            409,
            "Conflict",
            `Operation cannot be fulfilled on leases.coordination.k8s.io "${name}": the object has been modified; please apply your changes to the latest version and try again`,
          ),
        );
      }
      return send(res, 200, this.#store(key, body));
    }
    send(res, 405, status(405, "MethodNotAllowed", method));
  }

  #store(key: string, body: LeaseBody): LeaseBody {
    const stored = {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      ...body,
      metadata: { ...body.metadata, resourceVersion: String(++this.#rv) },
    };
    this.leases.set(key, stored);
    this.leaseWrites.push({ at: Date.now(), holder: stored.spec?.holderIdentity ?? "" });
    return stored;
  }
}

/** apimachinery's MicroTime: RFC 3339 with exactly six fractional digits; returns a bad value. */
function badMicroTime(body: LeaseBody): string | undefined {
  for (const field of ["acquireTime", "renewTime"]) {
    const value = body.spec?.[field];
    if (
      value !== undefined &&
      !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(Z|[+-]\d\d:\d\d)$/.test(String(value))
    )
      return String(value);
  }
  return undefined;
}

const gone = {
  type: "ERROR",
  object: {
    kind: "Status",
    apiVersion: "v1",
    status: "Failure",
    reason: "Expired",
    code: 410,
    message: "too old resource version",
  },
};

function status(code: number, reason: string, message: string) {
  return { kind: "Status", apiVersion: "v1", status: "Failure", reason, message, code };
}

function send(res: http.ServerResponse, code: number, body: unknown): true {
  res.writeHead(code, { "content-type": "application/json" }).end(JSON.stringify(body));
  return true;
}
