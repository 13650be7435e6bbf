import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { once } from "node:events";
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { isCI } from "../../test/environment.ts";
import { agentScript, netnsUnavailable, run, useAgentScratch } from "./netns-fixture.ts";

// How a pass ends when the interface goes away under it, and the heartbeat the liveness probe
// reads. Real dash, iproute2 and kernel, in a network namespace per test.

const unavailable = netnsUnavailable();

if (unavailable !== undefined && isCI()) {
  test("network namespaces are available under CI", () => {
    assert.fail(`CI=true requires network namespaces: ${unavailable}`);
  });
}

/** Polls `check` every 50 ms until it holds; throws after 10 s, so no loop outlives its test. */
async function eventually(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`waited 10 s for ${what}`);
    await new Promise((wake) => setTimeout(wake, 50));
  }
}

/** Runs the script outside any namespace (the liveness check needs no network). */
function runScript(args: string[], env: Record<string, string>) {
  const result = spawnSync("dash", [agentScript, ...args], {
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", ...env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("fip-alias-agent's passes in a network namespace", { skip: unavailable }, () => {
  const scratch = useAgentScratch();

  test("ends the pass with one line when its interface disappears mid-pass", () => {
    const ns = scratch.namespace();
    ns.ip("link", "add", "d0", "type", "veth", "peer", "name", "d1");
    ns.ip("link", "set", "d0", "up");
    // An `ip` first on PATH that deletes d0 (and its veth peer) just before the third address is added, so the
    // interface vanishes between two binds of one pass, as when a NIC is unplugged.
    const bin = join(scratch.folder, "vanishing-bin");
    mkdirSync(bin);
    const realIp = run("sh", ["-c", "command -v ip"]).trim();
    const counter = join(scratch.folder, "adds");
    writeFileSync(
      join(bin, "ip"),
      `#!/bin/sh\nif [ "$1 $2" = "addr add" ]; then\n  n=$(($(cat ${counter} 2>/dev/null || echo 0) + 1))\n  echo "$n" >${counter}\n  [ "$n" -eq 3 ] && ${realIp} link del d0\nfi\nexec ${realIp} "$@"\n`,
    );
    chmodSync(join(bin, "ip"), 0o755);
    const addresses = Array.from({ length: 20 }, (_, index) => `192.0.2.${index + 1}`);

    const result = ns.runAgent({
      PATH: `${bin}:${process.env.PATH ?? ""}`,
      FIP_INTERFACE: "d0",
      FIP_IPS: addresses.join(" "),
    });

    assert.equal(
      result.stdout,
      "fip-alias-agent: bound 192.0.2.1/32 on d0\nfip-alias-agent: bound 192.0.2.2/32 on d0\n",
    );
    assert.equal(
      result.stderr,
      'fip-alias-agent: interface "d0" disappeared during the pass; 18 floating IPs left unchecked until the next pass\n',
    );
    assert.equal(result.status, 1);
  });

  test("writes a heartbeat after every pass that --alive accepts", {
    timeout: 20_000,
  }, async (t) => {
    const ns = scratch.namespace();
    const heartbeat = join(scratch.folder, "heartbeat");
    const env = { FIP_IPS: "192.0.2.50", FIP_INTERVAL: "1", FIP_HEARTBEAT_FILE: heartbeat };
    const agent = ns.startAgent(env);
    t.after(() => {
      if (agent.exitCode === null && agent.signalCode === null) agent.kill("SIGKILL");
    });

    await eventually("the first heartbeat", () => existsSync(heartbeat));
    const alive = runScript(["--alive"], env);
    // A time long past: only a later pass writing the time again makes --alive pass again.
    writeFileSync(heartbeat, "0\n");
    await eventually("a pass to write the heartbeat again", () => {
      return runScript(["--alive"], env).status === 0;
    });
    agent.kill("SIGTERM");
    await once(agent, "exit");

    assert.deepEqual(alive, { status: 0, stdout: "", stderr: "" });
  });

  test("--alive fails on a heartbeat older than two intervals and a minute", () => {
    const heartbeat = join(scratch.folder, "stale-heartbeat");
    writeFileSync(heartbeat, `${Math.floor(Date.now() / 1000) - 100}\n`);

    const stale = runScript(["--alive"], { FIP_HEARTBEAT_FILE: heartbeat, FIP_INTERVAL: "10" });
    const fresh = runScript(["--alive"], { FIP_HEARTBEAT_FILE: heartbeat, FIP_INTERVAL: "30" });

    assert.equal(stale.status, 1);
    assert.match(
      stale.stderr,
      /^fip-alias-agent: the last pass ended 10[01] s ago, more than 80 s: the loop is stuck\n$/,
    );
    assert.deepEqual(fresh, { status: 0, stdout: "", stderr: "" });
  });

  test("--alive fails before the first pass and without a heartbeat file configured", () => {
    const missing = join(scratch.folder, "never-written");

    const before = runScript(["--alive"], { FIP_HEARTBEAT_FILE: missing });
    const unset = runScript(["--alive"], {});

    assert.deepEqual(before, {
      status: 1,
      stdout: "",
      stderr: `fip-alias-agent: no pass has finished yet: ${missing} holds no time\n`,
    });
    assert.equal(unset.status, 2);
    assert.equal(
      unset.stderr,
      "fip-alias-agent: --alive needs FIP_HEARTBEAT_FILE, the file the agent writes after every pass\n",
    );
  });
});
