import assert from "node:assert/strict";
import { test } from "node:test";
import { leaderOf, logLines, startCheckedCluster, waitFor } from "../test/harness.ts";
import { FaultProxy } from "../test/proxy.ts";

// The leader's loop against a failing Hetzner Cloud API: it must back off between failed passes
// (1 s doubling), not hammer the API, and say clearly what is wrong.

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("a rejected token is not retried quickly and is reported as such, never printed", async (t) => {
  const cluster = await startCheckedCluster(t);
  const wrong = "hc-wrong-token-value-9a8b7c6d5e4f";
  const tokenFile = cluster.writeFile("wrong-token", `${wrong}\n`);
  const replica = cluster.spawnReplica("rep-1", undefined, { HCLOUD_TOKEN_FILE: tokenFile });
  await leaderOf(cluster);
  const start = await waitFor("the first request", () => cluster.hcloud.requests.length > 0);
  await pause(2200 - (Date.now() - start));
  // Passes at 0 and 1 s (the next at 3 s): one request each (a 401 is not retried in a pass).
  const count = cluster.hcloud.requests.length;
  assert.ok(count <= 3, `${count} requests in 2.2 s`);
  const errors = logLines(replica).filter((l) => /rejected the token \(401\)/.test(l.msg));
  assert.ok(errors.length >= 2 && errors.length <= 3, `${errors.length} token errors logged`);
  assert.equal(errors[0]?.level, "error");
  assert.ok(!replica.output().includes(wrong), "the token was printed");
  assert.ok(!replica.output().includes(wrong.slice(3, 18)), "part of the token was printed");
});

test("an HTML 502 page is retried with backoff, not in a tight loop", async (t) => {
  const cluster = await startCheckedCluster(t);
  const proxy = await new FaultProxy(cluster.hcloud.url.replace(/\/v1$/, "")).start();
  t.after(() => proxy.stop());
  proxy.rule = () => ({
    status: 502,
    headers: { "content-type": "text/html" },
    body: "<html><body>502 Bad Gateway</body></html>",
  });
  const replica = cluster.spawnReplica("rep-1", undefined, { HCLOUD_ENDPOINT: `${proxy.url}/v1` });
  await leaderOf(cluster);
  const start = await waitFor("the first request", () => proxy.hits.length > 0);
  await pause(2500 - (Date.now() - start));
  // One pass: 5 attempts over about 3 s (0.2, 0.4, 0.8, 1.6 s apart), then a 1 s pause.
  assert.ok(proxy.hits.length <= 5, `${proxy.hits.length} requests in 2.5 s`);
  await waitFor("the failed pass", () => /"msg":"reconcile failed"/.test(replica.output()));
  const failed = logLines(replica).find((l) => l.msg === "reconcile failed");
  assert.match(JSON.stringify(failed?.err), /502 with a non-JSON answer/);
});

test("SIGTERM during an assign action stops at once and releases the lease", async (t) => {
  const cluster = await startCheckedCluster(t);
  const first = cluster.spawnReplica("rep-1");
  await leaderOf(cluster);
  cluster.spawnReplica("rep-2");
  await waitFor("the first list", () => cluster.hcloud.requests.length > 0);
  await pause(500);
  cluster.hcloud.actionLatencyMs = 5000;
  cluster.kube.setReady("node-a", false);
  await waitFor("an assign in flight", () => cluster.hcloud.assigns.length > 0);
  await pause(200);

  const termAt = Date.now();
  first.child.kill("SIGTERM");
  const code = await Promise.race([first.exited, pause(3000).then(() => "still running")]);
  assert.equal(code, 0);
  assert.ok(Date.now() - termAt < 1500, `exit took ${Date.now() - termAt} ms`);
  assert.match(first.output(), /work stopped; lease released/);
  assert.ok(cluster.kube.leaseWrites.some((w) => w.at >= termAt && w.holder === ""));
});

test("a stuck assign action holds up no other IP, and fails at its deadline to be retried", async (t) => {
  const cluster = await startCheckedCluster(t);
  cluster.hcloud.addFloatingIp(13, "198.51.100.13", 3);
  const replica = cluster.spawnReplica("rep-1", undefined, {
    FLOATING_IPS: "198.51.100.7,fip-13",
    ACTION_TIMEOUT: "2s",
  });
  await leaderOf(cluster);
  await waitFor("the first list", () => cluster.hcloud.requests.length > 0);
  cluster.hcloud.actionLatencyMs = 1e9;
  cluster.kube.setReady("node-a", false);
  await waitFor("the stuck assign", () => cluster.hcloud.assigns.length === 1);
  cluster.hcloud.actionLatencyMs = 100;

  cluster.kube.setReady("node-c", false);
  await waitFor("IP 13 off node-c", () => cluster.hcloud.serverOf(13) === 2, 1500);
  await waitFor("IP 11 assigned on retry", () => cluster.hcloud.serverOf(11) === 2, 5000);
  const failed = logLines(replica).find((l) => l.msg === "assigning floating IP failed");
  assert.match(JSON.stringify(failed?.err), /did not end within 2000 ms/);
});
