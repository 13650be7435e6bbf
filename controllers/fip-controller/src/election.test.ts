import assert from "node:assert/strict";
import { test } from "node:test";
import { type Cluster, leaderOf, logLines, startCheckedCluster, waitFor } from "../test/harness.ts";
import { FaultProxy } from "../test/proxy.ts";

// Leader-election faults seen through a proxy in front of one replica's Kubernetes API.

/** Keeps the node that holds IP 11 cordoned (and the others not), so the leader always has work. */
function keepBusy(cluster: Cluster): NodeJS.Timeout {
  const names = new Map([
    [1, "node-a"],
    [2, "node-b"],
    [3, "node-c"],
  ]);
  return setInterval(() => {
    const current = cluster.hcloud.serverOf(11);
    for (const [id, name] of names) {
      const cordoned = id === current;
      if (cluster.kube.nodes.get(name)?.spec?.unschedulable !== cordoned)
        cluster.kube.setCordoned(name, cordoned);
    }
  }, 150);
}

test("a renewal whose answer comes late stops the work before a standby can take the lease", async (t) => {
  const cluster = await startCheckedCluster(t);
  cluster.hcloud.actionLatencyMs = 50;
  const proxy = await new FaultProxy(cluster.kube.url).start();
  t.after(() => proxy.stop());
  const timings = { lease: "3s", renew: "2.5s", retry: "300ms", resync: "60s" };
  const kubeconfig = cluster.writeFile("kubeconfig-rep-1", cluster.kube.kubeconfig(proxy.url));
  const first = cluster.spawnReplica("rep-1", timings, { KUBECONFIG: kubeconfig });
  await leaderOf(cluster);
  const second = cluster.spawnReplica("rep-2", timings);
  await waitFor("the standby's first lease read", () =>
    /lease held by another/.test(second.output()),
  );
  const busy = keepBusy(cluster);
  t.after(() => clearInterval(busy));

  // The next renewal lands at once; its answer is held 2 s (inside the 2.2 s the leader allows
  // it); after that, every lease call of the leader hangs.
  let held = false;
  proxy.rule = (req, url) => {
    if (!url.pathname.includes("/leases")) return undefined;
    if (held) return "hang";
    if (req.method !== "PUT") return undefined;
    held = true;
    return { holdAnswerMs: 2000 };
  };
  await waitFor(
    "rep-2 leading",
    () => cluster.kube.holder("kube-system", "fip-controller") === "rep-2",
    8000,
  );
  const acquiredAt = cluster.kube.leaseWrites.find((w) => w.holder === "rep-2")?.at ?? 0;
  const stopped = logLines(first).find((l) => l.msg === "lease lost; work stopped");
  assert.ok(stopped, "rep-1 had not stopped its work when rep-2 took the lease");
  const stoppedAt = Date.parse(stopped.time);
  assert.ok(
    stoppedAt < acquiredAt,
    `rep-1 worked until ${stoppedAt - acquiredAt} ms after rep-2 took the lease`,
  );
  const late = cluster.hcloud.assigns.filter((a) => a.identity === "rep-1" && a.at >= acquiredAt);
  assert.deepEqual(late, [], "rep-1 assigned after rep-2 took the lease");
});
