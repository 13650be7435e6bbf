import type { Config } from "./config.ts";
import type { HcloudClient } from "./hcloud/client.ts";
import type { FloatingIp, Server } from "./hcloud/types.ts";
import { sameAddress } from "./ip.ts";
import type { NodeEvent, NodeInformer } from "./kube/nodes.ts";
import type { Log } from "./log.ts";
import type { Metrics } from "./metrics.ts";
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

/**
 * The reconcile loop. Node events wake it at once (debounced); a resync period refreshes the
 * floating IP state from the API. Between resyncs it works from its cache, so the API sees one
 * list call per resync in steady state and calls only when an IP must move.
 */
export class Controller {
  readonly #deps: ControllerDeps;
  readonly #unhealthySince = new Map<string, number>();
  readonly #stranded = new Set<string>();
  readonly #failures = new Map<number, number>();
  #ips: FloatingIp[] = [];
  #servers: Server[] = [];
  #refreshedAt = 0;
  /** Re-list before the next plan: new leadership, or a failure that may hide a change. */
  #mustRefresh = true;
  #serversAt = 0;
  #dirty = false;
  #wake: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(deps: ControllerDeps) {
    this.#deps = deps;
  }

  /** Feeds an informer event: tracks when nodes turned unhealthy and wakes the loop. */
  onNodeEvent(event: NodeEvent): void {
    const now = Date.now();
    const nodes = event.type === "RELISTED" ? this.#deps.informer.nodes() : [event.node];
    for (const node of nodes) {
      const name = node.metadata.name;
      const healthy = event.type !== "DELETED" && isHealthy(node, this.#deps.config.nodeSelector);
      if (healthy) this.#unhealthySince.delete(name);
      else if (!this.#unhealthySince.has(name)) this.#unhealthySince.set(name, now);
    }
    this.#schedule(debounceMs);
  }

  /** Does the leader's work until the signal aborts; returns only when all work has stopped. */
  async lead(signal: AbortSignal): Promise<void> {
    const { config, log, metrics } = this.#deps;
    metrics.leader.set(1);
    this.#mustRefresh = true;
    try {
      while (!signal.aborted) {
        this.#dirty = false;
        await this.#pass(signal).catch((error: Error) => {
          if (signal.aborted) return;
          metrics.reconcileErrors.inc();
          log.warn({ err: error }, "reconcile failed");
          this.#mustRefresh = true;
          this.#schedule(this.#backoff());
        });
        // A wake-up that came during the pass (#dirty) means: pass again without waiting.
        if (!this.#dirty)
          await this.#sleep(this.#refreshedAt + config.resyncPeriodMs - Date.now(), signal);
      }
    } finally {
      metrics.leader.set(0);
      clearTimeout(this.#timer);
      this.#wake = undefined;
    }
  }

  /** Sleeps until the next resync is due, a scheduled wake-up, or abort. */
  #sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const resync = setTimeout(done, Math.max(ms, 0) + 1);
      const wake = this;
      function done() {
        clearTimeout(resync);
        signal.removeEventListener("abort", done);
        wake.#wake = undefined;
        resolve();
      }
      this.#wake = done;
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

  #backoff(): number {
    const worst = Math.max(0, ...this.#failures.values(), 1);
    return Math.min(1000 * 2 ** (worst - 1), 30_000);
  }

  async #pass(signal: AbortSignal): Promise<void> {
    const { config, informer } = this.#deps;
    if (!informer.synced) return;
    const nodes = informer.nodes();
    const due = Date.now() - this.#refreshedAt >= config.resyncPeriodMs;
    if (due || this.#mustRefresh) await this.#refresh(nodes, signal);
    const plan = planAssignments(nodes, this.#servers, this.#ips, config.nodeSelector);
    this.#reportStranded(plan.stranded);
    if (plan.moves.length === 0) return;

    const results = await Promise.allSettled(plan.moves.map((m) => this.#move(m, signal)));
    const failed = results.filter((r) => r.status === "rejected");
    if (failed.length > 0 && !signal.aborted) {
      // The IP may have moved anyway (an action can fail after taking effect): re-list first.
      this.#mustRefresh = true;
      this.#schedule(this.#backoff());
    }
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

  async #move(move: Move, signal: AbortSignal): Promise<void> {
    const { hcloud, log, metrics } = this.#deps;
    const fields = {
      ip: move.ip.ip,
      node: move.toNode,
      server: move.toServer,
      fromNode: move.fromNode,
      fromServer: move.fromServer,
    };
    log.info(fields, "assigning floating IP");
    try {
      const action = await hcloud.assignFloatingIp(move.ip.id, move.toServer, signal);
      await hcloud.waitForAction(action, signal);
    } catch (error) {
      if (signal.aborted) throw error;
      metrics.assignments.inc({ result: "error" });
      this.#failures.set(move.ip.id, (this.#failures.get(move.ip.id) ?? 0) + 1);
      log.warn({ ...fields, err: error }, "assigning floating IP failed");
      throw error;
    }
    move.ip.server = move.toServer;
    this.#failures.delete(move.ip.id);
    metrics.assignments.inc({ result: "success" });
    const since = move.fromNode === undefined ? undefined : this.#unhealthySince.get(move.fromNode);
    if (since !== undefined) metrics.failoverSeconds.observe((Date.now() - since) / 1000);
    log.info(fields, "floating IP assigned");
  }
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
