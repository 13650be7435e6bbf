import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HcloudApiServer } from "./hcloud-api-server.ts";
import { KubeApiServer } from "./kube-api-server.ts";

// FIP_CONTROLLER_ENTRY runs the scenarios against another build, e.g. the esbuild bundle.
const mainPath =
  process.env.FIP_CONTROLLER_ENTRY ?? new URL("../src/main.ts", import.meta.url).pathname;

// No orphans when the test or benchmark process ends early.
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** A running controller process with its collected output. */
export interface Replica {
  identity: string;
  child: ChildProcess;
  port: number;
  output: () => string;
  exited: Promise<number | null>;
}

/** Lease timings and resync for a test cluster, as env values. */
export interface Timings {
  lease: string;
  renew: string;
  retry: string;
  resync: string;
}

/** Short timings that keep scenario tests fast. */
export const fastTimings: Timings = { lease: "2s", renew: "1.5s", retry: "300ms", resync: "60s" };

/** The fake cloud: both API servers, three nodes on three servers, two floating IPs. */
export class Cluster {
  readonly token = "hc-test-secret-token-5f1e2d3c4b5a69788796a5b4c3d2e1f0";
  readonly kube = new KubeApiServer();
  readonly hcloud = new HcloudApiServer(this.token);
  readonly replicas: Replica[] = [];
  readonly #dir = mkdtempSync(join(tmpdir(), "fip-controller-"));
  #nextPort = 18000 + Math.floor(Math.random() * 20000);

  /** Starts both servers with nodes a, b, c (servers 1, 2, 3) and IPs on node a. */
  async start(): Promise<this> {
    await this.kube.start();
    await this.hcloud.start();
    writeFileSync(join(this.#dir, "kubeconfig"), this.kube.kubeconfig());
    writeFileSync(join(this.#dir, "token"), `${this.token}\n`);
    const servers = [
      [1, "node-a", "203.0.113.1", "2001:db8:1::/64"],
      [2, "node-b", "203.0.113.2", "2001:db8:2::/64"],
      [3, "node-c", "203.0.113.3", "2001:db8:3::/64"],
    ] as const;
    for (const [id, name, v4, v6] of servers) this.hcloud.addServer(id, name, v4, v6);
    this.kube.addNode("node-a", { server: 1 });
    this.kube.addNode("node-b", { addresses: ["203.0.113.2", "2001:db8:2::1"] });
    this.kube.addNode("node-c", { server: 3 });
    this.hcloud.addFloatingIp(11, "198.51.100.7", 1);
    this.hcloud.addFloatingIp(12, "2001:db8:ff00::/64", 1);
    return this;
  }

  /** Writes a file into the cluster's scratch folder and returns its path. */
  writeFile(name: string, text: string): string {
    const path = join(this.#dir, name);
    writeFileSync(path, text);
    return path;
  }

  /** Starts one controller process with the given identity and timings. */
  spawnReplica(
    identity: string,
    timings: Timings = fastTimings,
    extraEnv: Record<string, string> = {},
  ): Replica {
    const port = this.#nextPort++;
    const env = {
      PATH: process.env.PATH ?? "",
      KUBECONFIG: join(this.#dir, "kubeconfig"),
      HCLOUD_TOKEN_FILE: join(this.#dir, "token"),
      HCLOUD_ENDPOINT: this.hcloud.url,
      FLOATING_IPS: "198.51.100.7,2001:db8:ff00::/64",
      LEASE_NAMESPACE: "kube-system",
      POD_NAME: identity,
      LEASE_DURATION: timings.lease,
      RENEW_DEADLINE: timings.renew,
      RETRY_PERIOD: timings.retry,
      RESYNC_PERIOD: timings.resync,
      HEALTH_PORT: String(port),
      LOG_LEVEL: "debug",
      ...extraEnv,
    };
    const child = spawn(process.execPath, [mainPath], { env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout?.on("data", (c) => (output += c));
    child.stderr?.on("data", (c) => (output += c));
    const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
    const replica = { identity, child, port, output: () => output, exited };
    running.add(child);
    child.on("exit", () => running.delete(child));
    this.replicas.push(replica);
    return replica;
  }

  /** The replica the Kubernetes API server names as lease holder. */
  leader(): Replica | undefined {
    const holder = this.kube.holder("kube-system", "fip-controller");
    return this.replicas.find(
      (r) => r.identity === holder && r.child.exitCode === null && r.child.signalCode === null,
    );
  }

  /** Stops every replica (SIGKILL) and both servers. */
  async stop(): Promise<void> {
    for (const r of this.replicas) if (r.child.exitCode === null) r.child.kill("SIGKILL");
    await Promise.all(this.replicas.map((r) => r.exited));
    await this.kube.stop();
    await this.hcloud.stop();
  }
}

/** Polls a condition every 20 ms until it holds; throws with `what` after `timeoutMs`. */
export async function waitFor(
  what: string,
  condition: () => boolean,
  timeoutMs = 10_000,
): Promise<number> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now();
}

/**
 * Starts a cluster that checks, on every assign, that the caller held the lease at that moment,
 * and stops it after the test, failing the test on any violation.
 */
export async function startCheckedCluster(t: {
  after: (fn: () => Promise<void>) => void;
}): Promise<Cluster> {
  const cluster = await new Cluster().start();
  const violations: string[] = [];
  cluster.hcloud.onAssign = (record) => {
    const holder = cluster.kube.holder("kube-system", "fip-controller");
    if (holder !== record.identity)
      violations.push(`${record.identity} assigned while ${holder || "nobody"} held the lease`);
  };
  t.after(async () => {
    await cluster.stop();
    assert.deepEqual(violations, [], "only the lease holder may act");
  });
  return cluster;
}

/** Waits for the lease holder among the replicas. */
export async function leaderOf(cluster: Cluster): Promise<Replica> {
  await waitFor("a leader", () => cluster.leader() !== undefined);
  return cluster.leader() as Replica;
}

/** A replica's JSON log lines, parsed. */
export function logLines(replica: Replica): { time: string; msg: string; [k: string]: unknown }[] {
  return replica
    .output()
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l));
}

/** A replica's /metrics text. */
export async function metricsOf(replica: Replica): Promise<string> {
  return (await fetch(`http://127.0.0.1:${replica.port}/metrics`)).text();
}
