import { writeFileSync } from "node:fs";
import { Cluster, type Timings, waitFor } from "../test/harness.ts";
import { NaiveController } from "./naive-baseline.ts";

// Failover benchmark: 3 controller processes against the in-process Kubernetes and Hetzner Cloud
// API servers. Failover and takeover run with the default timings (lease 15 s, renew 10 s,
// retry 2 s). Steady-state API traffic and the naive baseline run time-compressed (every period
// divided by COMPRESS) and are scaled back to real time; the table says so.

const apiLatencyMs = 200;
const COMPRESS = 10;
const defaults: Timings = { lease: "15s", renew: "10s", retry: "2s", resync: "120s" };
const resultsPath = new URL("./results.json", import.meta.url).pathname;

async function newCluster(): Promise<Cluster> {
  const cluster = await new Cluster().start();
  cluster.hcloud.actionLatencyMs = apiLatencyMs;
  return cluster;
}

/** Node holding IP 11 goes NotReady → assign success, `rounds` times; returns ms per round. */
async function notReadyFailover(
  cluster: Cluster,
  rounds: number,
  timeoutMs: number,
  jitterMs = 0,
): Promise<number[]> {
  const nodeOf = new Map([
    [1, "node-a"],
    [2, "node-b"],
    [3, "node-c"],
  ]);
  const results: number[] = [];
  for (let i = 0; i < rounds; i++) {
    // A random pause samples the failure at any phase of a polling loop.
    await new Promise((r) => setTimeout(r, Math.random() * jitterMs));
    const from = cluster.hcloud.serverOf(11) as number;
    const assigns = cluster.hcloud.assigns.length;
    const start = Date.now();
    cluster.kube.setReady(nodeOf.get(from) as string, false);
    await waitFor(
      "the IP to move",
      () =>
        cluster.hcloud.assigns.slice(assigns).some((a) => a.ip === 11 && a.outcome === "success"),
      timeoutMs,
    );
    const done = cluster.hcloud.assigns
      .slice(assigns)
      .find((a) => a.ip === 11 && a.outcome === "success");
    results.push((done?.doneAt as number) - start);
    cluster.kube.setReady(nodeOf.get(from) as string, true);
    await new Promise((r) => setTimeout(r, 300));
  }
  return results;
}

/** SIGKILL the leader, fail the IP's node at once; time until the new leader's assign succeeds. */
async function takeover(cluster: Cluster, kill: () => void, timeoutMs: number): Promise<number> {
  const nodeOf = new Map([
    [1, "node-a"],
    [2, "node-b"],
    [3, "node-c"],
  ]);
  const from = cluster.hcloud.serverOf(11) as number;
  const assigns = cluster.hcloud.assigns.length;
  const start = Date.now();
  kill();
  cluster.kube.setReady(nodeOf.get(from) as string, false);
  await waitFor(
    "a new leader's assign",
    () => cluster.hcloud.assigns.slice(assigns).some((a) => a.outcome === "success" && a.ip === 11),
    timeoutMs,
  );
  const done = cluster.hcloud.assigns
    .slice(assigns)
    .find((a) => a.ip === 11 && a.outcome === "success");
  return (done?.doneAt as number) - start;
}

/** Our controller: failover and takeover at the default timings. */
async function measureController() {
  const cluster = await newCluster();
  try {
    for (const id of ["rep-1", "rep-2", "rep-3"]) cluster.spawnReplica(id, defaults);
    await waitFor("a leader", () => cluster.leader() !== undefined, 20_000);
    await waitFor("the first list", () => cluster.hcloud.requests.length > 0);
    const failover = await notReadyFailover(cluster, 5, 10_000);
    const leader = cluster.leader();
    const takeoverMs = await takeover(cluster, () => leader?.child.kill("SIGKILL"), 40_000);
    return { failover, takeoverMs };
  } finally {
    await cluster.stop();
  }
}

/** Our controller's Hetzner requests over a compressed steady-state window, per real hour. */
async function measureSteadyState(windowMs: number) {
  const cluster = await newCluster();
  try {
    const compressed = { ...defaults, resync: `${120 / COMPRESS}s` };
    for (const id of ["rep-1", "rep-2", "rep-3"]) cluster.spawnReplica(id, compressed);
    await waitFor("a leader", () => cluster.leader() !== undefined, 20_000);
    await waitFor("the first list", () => cluster.hcloud.requests.length > 0);
    const before = cluster.hcloud.requests.length;
    await new Promise((r) => setTimeout(r, windowMs));
    const count = cluster.hcloud.requests.length - before;
    return { count, perHour: (count * 3_600_000) / (windowMs * COMPRESS) };
  } finally {
    await cluster.stop();
  }
}

/** The naive 30 s poll-and-lease model, compressed: failover, takeover and requests per hour. */
async function measureNaive(windowMs: number) {
  const cluster = await newCluster();
  const periodMs = 30_000 / COMPRESS;
  const a = new NaiveController(cluster, "naive-1", periodMs);
  const b = new NaiveController(cluster, "naive-2", periodMs);
  try {
    a.start(0);
    b.start(periodMs / 2);
    await new Promise((r) => setTimeout(r, periodMs * 1.2));
    const before = cluster.hcloud.requests.length;
    await new Promise((r) => setTimeout(r, windowMs));
    const perHour = ((cluster.hcloud.requests.length - before) * 3_600_000) / (windowMs * COMPRESS);
    const failover = (await notReadyFailover(cluster, 5, periodMs * 3, periodMs)).map(
      (ms) => (ms - apiLatencyMs) * COMPRESS + apiLatencyMs,
    );
    const leader = cluster.kube.holder("kube-system", "naive") === "naive-1" ? a : b;
    const takeoverMs = (await takeover(cluster, () => leader.stop(), periodMs * 6)) * COMPRESS;
    return { failover, takeoverMs, perHour };
  } finally {
    a.stop();
    b.stop();
    await cluster.stop();
  }
}

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] as number;

const windowMs = 60_000;
const [ours, steady, naive] = [
  await measureController(),
  await measureSteadyState(windowMs),
  await measureNaive(windowMs / 2),
];
const results = {
  timings: {
    leaseDurationS: 15,
    renewDeadlineS: 10,
    retryPeriodS: 2,
    resyncS: 120,
    apiActionLatencyMs: apiLatencyMs,
    compressFactor: COMPRESS,
    replicas: 3,
  },
  controller: {
    notReadyToAssignMs: {
      samples: ours.failover,
      median: median(ours.failover),
      max: Math.max(...ours.failover),
      beyondApiLatencyMedian: median(ours.failover) - apiLatencyMs,
    },
    sigkillToFirstCorrectActionMs: ours.takeoverMs,
    hcloudRequestsPerHour: steady.perHour,
    steadyWindow: { compressedWindowMs: windowMs, requests: steady.count },
  },
  naiveBaseline: {
    notReadyToAssignMs: { samples: naive.failover, median: median(naive.failover) },
    sigkillToFirstCorrectActionMs: naive.takeoverMs,
    hcloudRequestsPerHour: naive.perHour,
  },
};
const rows: [string, string, string, string, string][] = [
  ["metric", "controller", "naive 30 s", "ratio", "target"],
  [
    "NotReady → assign success (median)",
    `${median(ours.failover)} ms`,
    `${Math.round(median(naive.failover))} ms`,
    `${(median(naive.failover) / median(ours.failover)).toFixed(1)}×`,
    `≤ ${apiLatencyMs + 1000} ms (API ${apiLatencyMs} ms + 1 s)`,
  ],
  [
    "NotReady → assign success (max)",
    `${Math.max(...ours.failover)} ms`,
    `${Math.round(Math.max(...naive.failover))} ms`,
    "",
    "",
  ],
  [
    "leader SIGKILL → first correct action",
    `${ours.takeoverMs} ms`,
    `${Math.round(naive.takeoverMs)} ms`,
    `${(naive.takeoverMs / ours.takeoverMs).toFixed(1)}×`,
    "≤ 17000 ms (lease 15 s + retry 2 s)",
  ],
  [
    "Hetzner API requests per hour (steady)",
    `${steady.perHour.toFixed(0)}`,
    `${naive.perHour.toFixed(0)}`,
    `${(naive.perHour / Math.max(steady.perHour, 1)).toFixed(1)}×`,
    "≤ 60",
  ],
];
for (const row of rows)
  console.log(row.map((c, i) => c.padEnd([40, 12, 12, 7, 0][i] as number)).join(" "));
console.log(
  `\nAPI action latency ${apiLatencyMs} ms; steady-state rates and the naive baseline measured ${COMPRESS}× time-compressed and scaled back.`,
);
writeFileSync(resultsPath, `${JSON.stringify(results, null, 2)}\n`);
