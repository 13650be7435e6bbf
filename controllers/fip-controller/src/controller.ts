import type { Config } from "./config.ts";
import { type HcloudClient, HcloudError } from "./hcloud/client.ts";
import type { FloatingIp, Server } from "./hcloud/types.ts";
import { sameAddress } from "./ip.ts";
import type { NodeEvent, NodeInformer } from "./kube/nodes.ts";
import type { Log } from "./log.ts";
import type { Metrics } from "./metrics.ts";
import { backoffMs, MoveTracker, maxBackoffMs } from "./moves.ts";
import {
  isHealthy,
  type KubeNode,
  type Move,
  mapNodesToServers,
  needsServers,
  planAssignments,
} from "./reconcile.ts";

/** What the controller needs from the rest of the process. */
export interface ControllerDeps {
  config: Config;
  hcloud: HcloudClient;
  informer: NodeInformer;
  log: Log;
  metrics: Metrics;
}

const debounceMs = 20;
/** setTimeout's largest delay; config bounds durations well below it, this guards the sum. */
const maxTimerMs = 2 ** 31 - 1;

/**
 * The reconcile loop. Node events wake it at once (debounced); a resync period refreshes the
 * floating IP state from the API. Between resyncs it works from its cache, so the API sees one
 * list call per resync in steady state and calls only when an IP must move. Moves run in the
 * background, one per IP ({@link MoveTracker}), so one slow action holds up no other IP. A
 * failed pass waits an exponential backoff that node events do not cut short.
 */
export class Controller {
  readonly #deps: ControllerDeps;
  readonly #unhealthySince = new Map<string, number>();
  /** Each node's server as last mapped, so a deleted node's IP still finds its failover start. */
  readonly #lastServerOf = new Map<string, number>();
  readonly #stranded = new Set<string>();
  readonly #moves: MoveTracker;
  #known = new Set<string>();
  #ips: FloatingIp[] = [];
  #servers: Server[] = [];
  #refreshedAt = 0;
  /** Re-list before the next plan: new leadership, or a failure that may hide a change. */
  #mustRefresh = true;
  #serversAt = 0;
  #passFailures = 0;
  /** When the leader's loop last went round; undefined while not leading. */
  #heartbeat: number | undefined;
  #dirty = false;
  #wake: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(deps: ControllerDeps) {
    this.#deps = deps;
    this.#moves = new MoveTracker({
      hcloud: deps.hcloud,
      log: deps.log,
      metrics: deps.metrics,
      actionTimeoutMs: deps.config.actionTimeoutMs,
      unhealthySince: (move) => this.#failoverStart(move),
      onSettled: (move, ok) => {
        const ip = this.#ips.find((i) => i.id === move.ip.id);
        if (ok && ip) ip.server = move.toServer;
        // The IP may have moved anyway (an action can fail after taking effect): re-list first.
        if (!ok) this.#mustRefresh = true;
        this.#schedule(debounceMs);
      },
    });
  }

  /** Feeds an informer event: tracks when nodes turned unhealthy and wakes the loop. */
  onNodeEvent(event: NodeEvent): void {
    const now = Date.now();
    const nodes = event.type === "RELISTED" ? this.#deps.informer.nodes() : [event.node];
    if (event.type === "RELISTED") {
      // Nodes gone between two lists were deleted: their failover starts now.
      const listed = new Set(nodes.map((n) => n.metadata.name));
      for (const name of this.#known)
        if (!listed.has(name) && !this.#unhealthySince.has(name))
          this.#unhealthySince.set(name, now);
      this.#known = listed;
    } else if (event.type === "DELETED") this.#known.delete(event.node.metadata.name);
    else this.#known.add(event.node.metadata.name);
    for (const node of nodes) {
      const name = node.metadata.name;
      const healthy = event.type !== "DELETED" && isHealthy(node, this.#deps.config.nodeSelector);
      if (healthy) this.#unhealthySince.delete(name);
      else if (!this.#unhealthySince.has(name)) this.#unhealthySince.set(name, now);
    }
    this.#schedule(debounceMs);
  }

  /**
   * Whether the leader's loop is going round: it beats at least once per resync period, backoff
   * or pass deadline, so silence for twice the longest of them plus an action deadline means
   * it is stuck. A standby is always live.
   */
  live(now = Date.now()): boolean {
    if (this.#heartbeat === undefined) return true;
    const { resyncPeriodMs, actionTimeoutMs } = this.#deps.config;
    return now - this.#heartbeat <= 2 * Math.max(resyncPeriodMs, maxBackoffMs) + actionTimeoutMs;
  }

  /** Does the leader's work until the signal aborts; returns only when all work has stopped. */
  async lead(signal: AbortSignal): Promise<void> {
    this.#deps.metrics.leader.set(1);
    this.#mustRefresh = true;
    this.#passFailures = 0;
    this.#moves.reset();
    try {
      while (!signal.aborted) {
        this.#heartbeat = Date.now();
        this.#dirty = false;
        const wait = await this.#step(signal);
        // A wake-up that came during the pass (#dirty) means: pass again without waiting.
        if (wait.backoff) await this.#sleep(wait.ms, signal, false);
        else if (!this.#dirty) await this.#sleep(wait.ms, signal, true);
      }
    } finally {
      await this.#moves.settled();
      this.#deps.metrics.leader.set(0);
      clearTimeout(this.#timer);
      this.#wake = undefined;
      this.#heartbeat = undefined;
    }
  }

  /** One pass; returns how long to wait before the next and whether that is a backoff. */
  async #step(signal: AbortSignal): Promise<{ ms: number; backoff: boolean }> {
    const { config, informer, log, metrics } = this.#deps;
    // Until the first node list succeeds there is nothing to plan; its RELISTED event wakes us.
    if (!informer.synced) return { ms: config.resyncPeriodMs, backoff: false };
    try {
      await this.#pass(signal);
      this.#passFailures = 0;
      const retryAt = this.#moves.nextRetryAt() ?? Number.POSITIVE_INFINITY;
      const due = Math.min(this.#refreshedAt + config.resyncPeriodMs, retryAt);
      return { ms: due - Date.now(), backoff: false };
    } catch (error) {
      if (signal.aborted) return { ms: 0, backoff: false };
      this.#passFailures++;
      this.#mustRefresh = true;
      metrics.reconcileErrors.inc();
      const retryInMs = backoffMs(this.#passFailures);
      reportPassError(log, error as Error, retryInMs);
      return { ms: retryInMs, backoff: true };
    }
  }

  /** Sleeps until `ms` passes, a scheduled wake-up (when `wakeable`), or abort. */
  #sleep(ms: number, signal: AbortSignal, wakeable: boolean): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.min(Math.max(ms, 0), maxTimerMs));
      const self = this;
      function done() {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        if (self.#wake === done) self.#wake = undefined;
        resolve();
      }
      if (wakeable) this.#wake = done;
      signal.addEventListener("abort", done, { once: true });
    });
  }

  #schedule(delayMs: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#dirty = true;
      this.#wake?.();
    }, delayMs);
  }

  /** Refreshes when due (bounded by the action deadline), plans, and starts the moves allowed. */
  async #pass(signal: AbortSignal): Promise<void> {
    const { config, informer, log } = this.#deps;
    const nodes = informer.nodes();
    const due = Date.now() - this.#refreshedAt >= config.resyncPeriodMs;
    if (due || this.#mustRefresh) {
      const bounded = AbortSignal.any([signal, AbortSignal.timeout(config.actionTimeoutMs)]);
      await this.#refresh(nodes, bounded);
    }
    for (const [node, server] of mapNodesToServers(nodes, this.#servers))
      this.#lastServerOf.set(node, server);
    const plan = planAssignments(nodes, this.#servers, this.#asPlanned(), config.nodeSelector);
    this.#reportStranded(plan.stranded);
    for (const move of plan.moves) {
      if (!this.#moves.mayStart(move.ip.id)) continue;
      if (move.fromServer !== null && this.#nodeOfServer(move.fromServer) === undefined)
        log.warn(
          { ip: move.ip.ip, fromServer: move.fromServer, server: move.toServer },
          "floating IP is on a server that is not a cluster node; taking it over",
        );
      this.#moves.start(move, signal);
    }
  }

  /** The IPs as they will be once running actions succeed, so planning does not undo them. */
  #asPlanned(): FloatingIp[] {
    const targets = this.#moves.targets();
    return this.#ips.map((ip) =>
      targets.has(ip.id) ? { ...ip, server: targets.get(ip.id) as number } : ip,
    );
  }

  /** The node last mapped to a server, including nodes deleted since. */
  #nodeOfServer(server: number): string | undefined {
    for (const [node, id] of this.#lastServerOf) if (id === server) return node;
    return undefined;
  }

  /** When the node an IP leaves turned unhealthy, also for a node deleted meanwhile. */
  #failoverStart(move: Move): number | undefined {
    const node =
      move.fromNode ?? (move.fromServer === null ? undefined : this.#nodeOfServer(move.fromServer));
    return node === undefined ? undefined : this.#unhealthySince.get(node);
  }

  async #refresh(nodes: KubeNode[], signal: AbortSignal): Promise<void> {
    const { config, hcloud, log } = this.#deps;
    const all = await hcloud.listFloatingIps(config.floatingIpSelector, signal);
    this.#ips =
      config.floatingIps.length === 0
        ? all
        : all.filter((ip) => config.floatingIps.some((want) => names(ip, want)));
    // The server list is only needed when some node lacks an hcloud:// providerID; servers
    // change only when nodes join, so it is re-read for an unmapped node or every 10 resyncs.
    if (!needsServers(nodes)) this.#servers = [];
    else if (this.#serversStale(nodes)) {
      this.#servers = await hcloud.listServers(signal);
      this.#serversAt = Date.now();
    }
    this.#refreshedAt = Date.now();
    this.#mustRefresh = false;
    const missing = config.floatingIps.filter((want) => !all.some((ip) => names(ip, want)));
    if (missing.length > 0) log.warn({ missing }, "configured floating IPs not found");
  }

  #serversStale(nodes: KubeNode[]): boolean {
    if (Date.now() - this.#serversAt >= 10 * this.#deps.config.resyncPeriodMs) return true;
    return mapNodesToServers(nodes, this.#servers).size < nodes.length;
  }

  #reportStranded(stranded: { ip: FloatingIp; node: string | undefined }[]): void {
    const now = new Set(stranded.map((s) => s.ip.ip));
    for (const s of stranded) {
      if (this.#stranded.has(s.ip.ip)) continue;
      this.#deps.log.warn(
        { ip: s.ip.ip, node: s.node },
        "no healthy node for floating IP; leaving it where it is",
      );
    }
    this.#stranded.clear();
    for (const ip of now) this.#stranded.add(ip);
  }
}

/**
 * Logs a failed pass once per backoff step; a rejected token (401) or a missing permission
 * (403) gets its own error line, as no retry will fix it. The token itself is never logged.
 */
function reportPassError(log: Log, error: Error, retryInMs: number): void {
  const status = error instanceof HcloudError ? error.status : undefined;
  if (status === 401)
    log.error(
      { err: error, retryInMs },
      "Hetzner Cloud API rejected the token (401): check HCLOUD_TOKEN or HCLOUD_TOKEN_FILE",
    );
  else if (status === 403)
    log.error(
      { err: error, retryInMs },
      "Hetzner Cloud API token lacks permission (403): it needs a read and write token",
    );
  else log.warn({ err: error, retryInMs }, "reconcile failed");
}

/** Whether a configured entry names this floating IP: its id, name, address or IPv6 network. */
function names(ip: FloatingIp, want: string): boolean {
  return (
    want === String(ip.id) ||
    want === ip.name ||
    want === ip.ip ||
    (ip.type === "ipv6" && sameAddress(want, ip.ip))
  );
}
