/**
 * Network namespaces for the agent's tests: each one holds a veth pair, `e0` (with
 * 10.9.0.1/24 and the default route) and its peer `e1`, so the agent runs against a real kernel
 * without touching the host's addresses. Needs root and `ip netns`.
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import { fileURLToPath } from "node:url";

/** The agent's script, as the DaemonSet runs it. */
export const agentScript = fileURLToPath(new URL("./fip-alias-agent.sh", import.meta.url));

/** An address as `ip -j addr` reports it. */
export interface BoundAddress {
  /** `192.0.2.10/32`, `2001:db8:1:2::1/64` (ip's spelling). */
  cidr: string;
  /** The address metric; the agent marks its own addresses with one. */
  metric?: number;
}

/** What one run of the agent printed and how it ended. */
export interface AgentRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command and returns its stdout; throws with its stderr when it fails. */
export function run(file: string, args: string[]): string {
  const result = spawnSync(file, args, { encoding: "utf8", timeout: 20_000 });
  if (result.status !== 0) {
    throw new Error(`${file} ${args.join(" ")} failed: ${result.stderr || result.error}`);
  }
  return result.stdout;
}

/**
 * Why network namespaces cannot be used here (not root, no `ip netns`, no veth), or undefined
 * when they can: it creates and deletes a probe namespace to find out.
 */
export function netnsUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "network namespaces need root";
  const probe = `solera-t-probe-${randomBytes(3).toString("hex")}`;
  try {
    run("ip", ["netns", "add", probe]);
    run("ip", ["netns", "exec", probe, "ip", "link", "add", "p0", "type", "veth", "peer", "p1"]);
    return undefined;
  } catch (error) {
    return `ip netns with a veth pair does not work here: ${(error as Error).message}`;
  } finally {
    spawnSync("ip", ["netns", "del", probe]);
  }
}

/** A namespace made for one test; `delete()` removes it with everything in it. */
export class TestNamespace {
  readonly name = `solera-t-${randomBytes(4).toString("hex")}`;

  /** Creates the namespace with `e0`/`e1` up and a default route through `e0`. */
  create(): this {
    run("ip", ["netns", "add", this.name]);
    this.ip("link", "add", "e0", "type", "veth", "peer", "name", "e1");
    this.ip("link", "set", "lo", "up");
    this.ip("link", "set", "e0", "up");
    this.ip("link", "set", "e1", "up");
    this.ip("addr", "add", "10.9.0.1/24", "dev", "e0");
    this.ip("route", "add", "default", "via", "10.9.0.2", "dev", "e0");
    return this;
  }

  /** Runs `ip` inside the namespace and returns its stdout. */
  ip(...args: string[]): string {
    return run("ip", ["netns", "exec", this.name, "ip", ...args]);
  }

  /** The global addresses on an interface, in the kernel's order. */
  addresses(device = "e0"): BoundAddress[] {
    const links = JSON.parse(this.ip("-j", "addr", "show", "dev", device)) as {
      addr_info: { local: string; prefixlen: number; metric?: number; scope: string }[];
    }[];
    return (links[0]?.addr_info ?? [])
      .filter((info) => info.scope === "global")
      .map((info) => ({ cidr: `${info.local}/${info.prefixlen}`, metric: info.metric }));
  }

  /** The global addresses on an interface as `ip` spells them, sorted. */
  cidrs(device = "e0"): string[] {
    return this.addresses(device)
      .map((address) => address.cidr)
      .sort();
  }

  /** Runs the agent once (`--once`) with the given environment. */
  runAgent(env: Record<string, string>): AgentRun {
    const result = spawnSync("ip", ["netns", "exec", this.name, "dash", agentScript, "--once"], {
      encoding: "utf8",
      timeout: 30_000,
      env: { PATH: process.env.PATH ?? "", ...env },
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  /** Starts the agent in its loop; the caller stops it. */
  startAgent(env: Record<string, string>) {
    return spawn("ip", ["netns", "exec", this.name, "dash", agentScript], {
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
  }

  /**
   * Kills what still runs in the namespace (an agent left by a failed test would keep the test
   * runner waiting on its output), then deletes it; its interfaces and addresses go with it.
   */
  delete(): void {
    const pids = spawnSync("ip", ["netns", "pids", this.name], { encoding: "utf8" }).stdout ?? "";
    for (const pid of pids.split("\n").filter((line) => /^[0-9]+$/.test(line))) {
      try {
        process.kill(Number(pid), "SIGKILL");
      } catch {
        // Already gone.
      }
    }
    spawnSync("ip", ["netns", "del", this.name]);
  }
}

/** What one suite of agent tests makes: namespaces and files, all removed after the suite. */
export interface AgentScratch {
  /** A folder for the suite's files. */
  folder: string;
  /** A new namespace, created. */
  namespace(): TestNamespace;
  /** A new file in the folder holding `content`; returns its path. */
  listFile(content: string | Uint8Array): string;
}

/** Call inside a `describe`: the namespaces and files it hands out go when the suite ends. */
export function useAgentScratch(): AgentScratch {
  const namespaces: TestNamespace[] = [];
  const folder = mkdtempSync(join(tmpdir(), "solera-fip-"));
  let files = 0;

  after(() => {
    for (const namespace of namespaces) namespace.delete();
    rmSync(folder, { recursive: true, force: true });
  });

  return {
    folder,
    namespace() {
      const created = new TestNamespace();
      namespaces.push(created);
      return created.create();
    },
    listFile(content) {
      const path = join(folder, `ips-${files++}`);
      writeFileSync(path, content);
      return path;
    },
  };
}
