import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import {
  Cluster,
  leaderOf,
  logLines,
  metricsOf as metrics,
  type Replica,
  startCheckedCluster as startCluster,
  waitFor,
} from "../test/harness.ts";
import { FaultProxy } from "../test/proxy.ts";

// Scenarios against the real controller in child processes (so SIGKILL is real), with the
// in-process Kubernetes and Hetzner Cloud API servers. Timings: lease 2 s, renew 1.5 s, retry 0.3 s.

test("moves IPs off a NotReady node to the healthy nodes with the fewest IPs, not to the leader's own node", async (t) => {
  const cluster = await startCluster(t);
  cluster.hcloud.addFloatingIp(13, "198.51.100.9", 2);
  const env = { FLOATING_IPS: "198.51.100.7,2001:db8:ff00::/64,fip-13", NODE_NAME: "node-b" };
  cluster.spawnReplica("rep-1", undefined, env);
  cluster.spawnReplica("rep-2", undefined, env);
  await leaderOf(cluster);
  await waitFor("the first list", () => cluster.hcloud.requests.length > 0);

  cluster.kube.setReady("node-a", false);
  await waitFor(
    "both IPs off node-a",
    () => cluster.hcloud.serverOf(11) !== 1 && cluster.hcloud.serverOf(12) !== 1,
  );
  // node-c held none, so the first IP goes there even though node-b sorts first and hosts the pods.
  assert.equal(cluster.hcloud.serverOf(11), 3);
  assert.equal(cluster.hcloud.serverOf(12), 2);
  assert.equal(cluster.hcloud.serverOf(13), 2);
});

test("a cordon moves the IP, and the old node recovering does not pull it back", async (t) => {
  const cluster = await startCluster(t);
  cluster.spawnReplica("rep-1");
  await leaderOf(cluster);
  await waitFor("the first list", () => cluster.hcloud.requests.length > 0);

  cluster.kube.setCordoned("node-a", true);
  await waitFor(
    "IPs off the cordoned node",
    () => cluster.hcloud.serverOf(11) === 2 && cluster.hcloud.serverOf(12) === 3,
  );
  const assigns = cluster.hcloud.assigns.length;

  cluster.kube.setCordoned("node-a", false);
  cluster.kube.setReady("node-a", true);
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(cluster.hcloud.assigns.length, assigns);
  assert.equal(cluster.hcloud.serverOf(11), 2);
});

test("a standby takes over after the leader is SIGKILLed and keeps every IP right", async (t) => {
  const cluster = await startCluster(t);
  cluster.spawnReplica("rep-1");
  cluster.spawnReplica("rep-2");
  cluster.spawnReplica("rep-3");
  const first = await leaderOf(cluster);
  await waitFor("the first list", () => cluster.hcloud.requests.length > 0);

  first.child.kill("SIGKILL");
  const killedAt = Date.now();
  cluster.kube.setReady("node-a", false);
  await waitFor(
    "IPs moved by the new leader",
    () => cluster.hcloud.serverOf(11) === 2 && cluster.hcloud.serverOf(12) === 3,
    8000,
  );
  const movedAt = Date.now();
  const second = cluster.leader() as Replica;
  assert.notEqual(second.identity, first.identity);
  assert.ok(cluster.hcloud.assigns.every((a) => a.identity === second.identity));
  // Lease duration (2 s) + retry period (0.3 s) + the action (0.2 s) + slack for process scheduling.
  assert.ok(movedAt - killedAt < 3500, `takeover took ${movedAt - killedAt} ms`);
});

test("on SIGTERM the leader stops, releases the lease, and a standby leads without waiting it out", async (t) => {
  const cluster = await startCluster(t);
  cluster.spawnReplica("rep-1");
  cluster.spawnReplica("rep-2");
  const first = await leaderOf(cluster);

  first.child.kill("SIGTERM");
  assert.equal(await first.exited, 0);
  assert.match(first.output(), /work stopped; lease released/);
  const start = Date.now();
  await waitFor(
    "a new leader",
    () => cluster.leader() !== undefined && cluster.leader() !== first,
    3000,
  );
  assert.ok(
    Date.now() - start < 1500,
    "a released lease is taken at the next retry, well before it would expire",
  );
  assert.ok(cluster.kube.leaseWrites.some((w) => w.holder === ""));
});

test("a leader that cannot renew stops all work before its lease could expire", async (t) => {
  const cluster = await startCluster(t);
  const replica = cluster.spawnReplica("rep-1");
  await leaderOf(cluster);
  await waitFor("the first list", () => cluster.hcloud.requests.length > 0);

  cluster.kube.leaseOutage = true;
  const lastRenew = cluster.kube.leaseWrites.at(-1)?.at ?? 0;
  const stoppedAt = await waitFor(
    "work stopped",
    () => /"msg":"lease lost; work stopped"/.test(replica.output()),
    3000,
  );
  assert.ok(
    stoppedAt - lastRenew < 2000,
    `work stopped ${stoppedAt - lastRenew} ms after the last renewal`,
  );
  assert.match(await metrics(replica), /fip_controller_leader 0/);

  cluster.kube.setReady("node-a", false);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(cluster.hcloud.assigns.length, 0, "no work without a lease");
});

test("an assign action that ends in error is retried until the IP lands", async (t) => {
  const cluster = await startCluster(t);
  const replica = cluster.spawnReplica("rep-1");
  await leaderOf(cluster);
  await waitFor("the first list", () => cluster.hcloud.requests.length > 0);
  cluster.hcloud.failActions = 2;

  cluster.kube.setReady("node-a", false);
  await waitFor(
    "IPs moved despite failing actions",
    () => cluster.hcloud.serverOf(11) === 2 && cluster.hcloud.serverOf(12) === 3,
    8000,
  );
  assert.equal(cluster.hcloud.assigns.filter((a) => a.outcome === "error").length, 2);
  await waitFor(
    "both successes logged",
    () => (replica.output().match(/"msg":"floating IP assigned"/g) ?? []).length === 2,
  );
  const text = await metrics(replica);
  assert.match(text, /fip_controller_assignments_total\{result="error"\} 2/);
  assert.match(text, /fip_controller_assignments_total\{result="success"\} 2/);
  assert.match(replica.output(), /"msg":"assigning floating IP failed"/);
});

test("rides out 429 and 5xx answers and relists nodes after 410 Gone", async (t) => {
  const cluster = await startCluster(t);
  cluster.hcloud.inject = [429, 503, 502];
  const replica = cluster.spawnReplica("rep-1");
  await leaderOf(cluster);
  await waitFor("a successful list", () => cluster.hcloud.requests.length >= 4);

  const lists = cluster.kube.nodeLists;
  cluster.kube.compact();
  await waitFor("a relist after 410 Gone", () => cluster.kube.nodeLists === lists + 1);
  cluster.kube.setReady("node-a", false);
  await waitFor("IPs moved after the relist", () => cluster.hcloud.serverOf(11) === 2, 5000);
  await waitFor(
    "both successes logged",
    () => (replica.output().match(/"msg":"floating IP assigned"/g) ?? []).length === 2,
  );
  const text = await metrics(replica);
  assert.match(text, /fip_controller_hcloud_requests_total\{status="429"\} 1/);
  assert.match(text, /fip_controller_hcloud_requests_total\{status="503"\} 1/);
  assert.match(text, /fip_controller_failover_seconds_count 2/);
});

test("the token appears in no output and no metric", async (t) => {
  const cluster = await startCluster(t);
  cluster.hcloud.inject = [500];
  cluster.hcloud.failActions = 1;
  const replicas = [cluster.spawnReplica("rep-1"), cluster.spawnReplica("rep-2")];
  await leaderOf(cluster);
  cluster.kube.setReady("node-a", false);
  await waitFor(
    "IPs moved",
    () => cluster.hcloud.serverOf(11) === 2 && cluster.hcloud.serverOf(12) === 3,
    8000,
  );

  for (const replica of replicas) {
    const text = `${replica.output()}\n${await metrics(replica)}`;
    assert.ok(!text.includes(cluster.token), `${replica.identity} printed the token`);
    assert.ok(
      !text.includes(cluster.token.slice(3, 20)),
      `${replica.identity} printed part of the token`,
    );
  }
});

test("in steady state the leader lists floating IPs once per resync and servers once", async (t) => {
  const cluster = await startCluster(t);
  cluster.spawnReplica("rep-1", { lease: "2s", renew: "1.5s", retry: "300ms", resync: "1s" });
  cluster.spawnReplica("rep-2", { lease: "2s", renew: "1.5s", retry: "300ms", resync: "1s" });
  await leaderOf(cluster);
  const start = await waitFor("the first list", () => cluster.hcloud.requests.length > 0);
  await new Promise((r) => setTimeout(r, 3500 - (Date.now() - start)));

  const count = (what: string) => cluster.hcloud.requests.filter((r) => r.what === what).length;
  assert.ok(
    [4, 5].includes(count("GET /v1/floating_ips")),
    `floating IP lists: ${count("GET /v1/floating_ips")}`,
  );
  assert.equal(count("GET /v1/servers"), 1);
  assert.equal(cluster.hcloud.requests.length, count("GET /v1/floating_ips") + 1);
});

test("exits 2 with a message naming the variable on bad configuration", () => {
  const main = new URL("./main.ts", import.meta.url).pathname;
  const run = spawnSync(process.execPath, [main], {
    env: {
      PATH: process.env.PATH,
      HCLOUD_TOKEN: "x-token",
      FLOATING_IPS: "1.2.3.4",
      LEASE_DURATION: "5s",
      RENEW_DEADLINE: "6s",
    },
    encoding: "utf8",
  });
  assert.equal(run.status, 2);
  assert.equal(
    run.stderr,
    "fip-controller: configuration error: RENEW_DEADLINE: must be shorter than LEASE_DURATION, so the leader stops work before its lease can expire\n",
  );
});

test("a config file with a syntax error exits 2 naming FIP_CONTROLLER_CONFIG, without printing the file", () => {
  const main = new URL("./main.ts", import.meta.url).pathname;
  const secret = "SECRETTOKEN_zz9_plural_z_alpha";
  const dir = mkdtempSync(join(tmpdir(), "fip-config-"));
  writeFileSync(join(dir, "c.yaml"), `floatingIps: [1.2.3.4]\ntokenFile: "${secret}\n`);
  const run = spawnSync(process.execPath, [main], {
    env: { PATH: process.env.PATH, FIP_CONTROLLER_CONFIG: join(dir, "c.yaml") },
    encoding: "utf8",
  });
  assert.equal(run.status, 2);
  assert.equal(
    run.stderr,
    `fip-controller: configuration error: FIP_CONTROLLER_CONFIG: ${join(dir, "c.yaml")}:3:1: Missing closing "quote\n`,
  );
  assert.ok(!`${run.stdout}${run.stderr}`.includes(secret));
});

test("a missing kubeconfig exits 2 and a taken health port exits 3, each with a clear message", async (t) => {
  const main = new URL("./main.ts", import.meta.url).pathname;
  const env = { PATH: process.env.PATH, HCLOUD_TOKEN: "x-token", FLOATING_IPS: "1.2.3.4" };
  const noKube = spawnSync(process.execPath, [main], {
    env: { ...env, KUBECONFIG: "/nonexistent/kubeconfig" },
    encoding: "utf8",
  });
  assert.equal(noKube.status, 2);
  assert.equal(
    noKube.stderr,
    "fip-controller: configuration error: cannot load the KUBECONFIG /nonexistent/kubeconfig (ENOENT); in a pod, mount the service account token\n",
  );

  const cluster = await new Cluster().start();
  t.after(() => cluster.stop());
  const taken = cluster.spawnReplica("rep-1");
  await waitFor("rep-1 listening", () => /"msg":"started"/.test(taken.output()));
  const second = cluster.spawnReplica("rep-2", undefined, { HEALTH_PORT: String(taken.port) });
  assert.equal(await second.exited, 3);
  assert.equal(
    second.output(),
    `fip-controller: cannot listen on HEALTH_PORT ${taken.port} (EADDRINUSE)\n`,
  );
});

test("a node deleted outright still has its IPs moved and its failover time recorded", async (t) => {
  const cluster = await startCluster(t);
  const replica = cluster.spawnReplica("rep-1");
  await leaderOf(cluster);
  await waitFor("the first list", () => cluster.hcloud.requests.length > 0);
  cluster.kube.nodes.delete("node-a");
  cluster.kube.compact();
  await waitFor(
    "IPs off the deleted node",
    () => cluster.hcloud.serverOf(11) === 2 && cluster.hcloud.serverOf(12) === 3,
  );
  await waitFor(
    "both successes logged",
    () => (replica.output().match(/"msg":"floating IP assigned"/g) ?? []).length === 2,
  );
  assert.match(await metrics(replica), /fip_controller_failover_seconds_count 2/);
});

test("an IP on a server outside the cluster is taken over with a warning", async (t) => {
  const cluster = await startCluster(t);
  cluster.hcloud.addServer(99, "not-a-node", "203.0.113.99", "2001:db8:99::/64");
  cluster.hcloud.addFloatingIp(13, "198.51.100.13", 99);
  const replica = cluster.spawnReplica("rep-1", undefined, { FLOATING_IPS: "fip-13" });
  await leaderOf(cluster);
  await waitFor("IP 13 on a node", () => cluster.hcloud.serverOf(13) === 1);
  const warning = logLines(replica).find(
    (l) => l.msg === "floating IP is on a server that is not a cluster node; taking it over",
  );
  assert.equal(warning?.fromServer, 99);
});

test("a 403 on listing nodes is logged as an RBAC error and the leader does not spin", async (t) => {
  const cluster = await startCluster(t);
  const proxy = await new FaultProxy(cluster.kube.url).start();
  t.after(() => proxy.stop());
  proxy.rule = (_req, url) =>
    url.pathname === "/api/v1/nodes"
      ? { status: 403, body: '{"kind":"Status","code":403,"message":"nodes is forbidden"}' }
      : undefined;
  const kubeconfig = cluster.writeFile("kubeconfig-403", cluster.kube.kubeconfig(proxy.url));
  const replica = cluster.spawnReplica("rep-1", undefined, { KUBECONFIG: kubeconfig });
  await leaderOf(cluster);
  await waitFor("the RBAC error", () => /forbidden to list or watch nodes/.test(replica.output()));
  const ticks = () => {
    const fields = readFileSync(`/proc/${replica.child.pid}/stat`, "utf8")
      .split(") ")[1]
      ?.split(" ");
    return Number(fields?.[11]) + Number(fields?.[12]);
  };
  const before = ticks();
  await new Promise((r) => setTimeout(r, 1500));
  const lines = logLines(replica);
  assert.ok(
    lines.some((l) => l.level === "error" && /forbidden to list or watch nodes/.test(l.msg)),
  );
  assert.equal(cluster.hcloud.requests.length, 0, "no Hetzner work without nodes");
  // A loop spinning at 1 ms would burn most of the 150 ticks (1/100 s) of these 1.5 s.
  assert.ok(ticks() - before < 40, `the leader used ${ticks() - before} CPU ticks in 1.5 s`);
});
