import { HcloudClient } from "../src/hcloud/client.ts";
import type { KubeNode } from "../src/reconcile.ts";
import { planAssignments } from "../src/reconcile.ts";
import type { Cluster } from "../test/harness.ts";

/**
 * The naive controller the benchmark compares against: every `periodMs` it lists nodes, renews
 * or takes its lease (held for twice the period), lists floating IPs and servers, and assigns
 * what must move. No watch, no cache. `stop()` models a SIGKILL: the loop just ends.
 */
export class NaiveController {
  readonly #cluster: Cluster;
  readonly #identity: string;
  readonly #periodMs: number;
  readonly #hcloud: HcloudClient;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(cluster: Cluster, identity: string, periodMs: number) {
    this.#cluster = cluster;
    this.#identity = identity;
    this.#periodMs = periodMs;
    this.#hcloud = new HcloudClient({
      endpoint: cluster.hcloud.url,
      token: cluster.token,
      userAgent: `naive (${identity})`,
    });
  }

  /** Starts polling; the first poll happens after `phaseMs`. */
  start(phaseMs = 0): void {
    const tick = async () => {
      if (this.#stopped) return;
      await this.#poll().catch(() => {});
      if (!this.#stopped) this.#timer = setTimeout(tick, this.#periodMs);
    };
    this.#timer = setTimeout(tick, phaseMs);
  }

  /** Ends the loop at once, like a killed process. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  async #poll(): Promise<void> {
    const kube = this.#cluster.kube.url;
    const nodes = ((await (await fetch(`${kube}/api/v1/nodes`)).json()) as { items: KubeNode[] })
      .items;
    if (!(await this.#holdLease(kube))) return;
    const ips = await this.#hcloud.listFloatingIps();
    const servers = await this.#hcloud.listServers();
    const plan = planAssignments(nodes, servers, ips, []);
    for (const move of plan.moves) {
      const action = await this.#hcloud.assignFloatingIp(move.ip.id, move.toServer);
      await this.#hcloud.waitForAction(action);
    }
  }

  /** A lease of two periods, taken when expired by its renewTime (the naive way: wall clock). */
  async #holdLease(kube: string): Promise<boolean> {
    const path = `${kube}/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/naive`;
    const res = await fetch(path);
    const now = new Date().toISOString().replace(/Z$/, "000Z");
    const spec = {
      holderIdentity: this.#identity,
      leaseDurationSeconds: (2 * this.#periodMs) / 1000,
      renewTime: now,
      acquireTime: now,
    };
    if (res.status === 404) {
      const created = await fetch(path.replace(/\/naive$/, ""), {
        method: "POST",
        body: JSON.stringify({ metadata: { name: "naive" }, spec }),
      });
      return created.status === 201;
    }
    const lease = (await res.json()) as {
      metadata: object;
      spec: { holderIdentity: string; renewTime: string };
    };
    const expired = Date.parse(lease.spec.renewTime) + 2 * this.#periodMs < Date.now();
    if (lease.spec.holderIdentity !== this.#identity && !expired) return false;
    const put = await fetch(path, { method: "PUT", body: JSON.stringify({ ...lease, spec }) });
    return put.status === 200;
  }
}
