import assert from "node:assert/strict";
import { once } from "node:events";
import { writeFileSync } from "node:fs";
import { describe, test } from "node:test";
import { isCI } from "../../test/environment.ts";
import { netnsUnavailable, useAgentScratch } from "./netns-fixture.ts";

// The agent runs for real: dash, iproute2 and the kernel of a network namespace made per test.

const unavailable = netnsUnavailable();
const mark = 53100;

if (unavailable !== undefined && isCI()) {
  test("network namespaces are available under CI", () => {
    assert.fail(`CI=true requires network namespaces: ${unavailable}`);
  });
}

describe("fip-alias-agent in a network namespace", { skip: unavailable }, () => {
  const { namespace, listFile } = useAgentScratch();

  test("binds an IPv4 floating IP as /32 on the default route's interface, marked", () => {
    const ns = namespace();
    const run = ns.runAgent({ FIP_LIST_FILE: listFile("# web\n192.0.2.10\n\n") });

    assert.equal(run.stderr, "");
    assert.equal(run.stdout, "fip-alias-agent: bound 192.0.2.10/32 on e0\n");
    assert.equal(run.status, 0);
    assert.deepEqual(ns.addresses(), [
      { cidr: "10.9.0.1/24", metric: undefined },
      { cidr: "192.0.2.10/32", metric: mark },
    ]);
  });

  test("is idempotent: a second pass changes and logs nothing", () => {
    const ns = namespace();
    const env = { FIP_LIST_FILE: listFile("192.0.2.10\n2001:db8:1:2::/64\n") };
    assert.equal(ns.runAgent(env).status, 0);
    const before = ns.cidrs();

    const second = ns.runAgent(env);

    assert.deepEqual(second, { status: 0, stdout: "", stderr: "" });
    assert.deepEqual(ns.cidrs(), before);
  });

  test("removes its own alias once the IP leaves the list, and only that one", () => {
    const ns = namespace();
    const list = listFile("192.0.2.10\n192.0.2.11\n");
    ns.runAgent({ FIP_LIST_FILE: list });
    writeFileSync(list, "192.0.2.11\n");

    const run = ns.runAgent({ FIP_LIST_FILE: list });

    assert.equal(run.stdout, "fip-alias-agent: removed 192.0.2.10/32 from e0\n");
    assert.equal(run.status, 0);
    assert.deepEqual(ns.cidrs(), ["10.9.0.1/24", "192.0.2.11/32"]);
  });

  test("leaves foreign aliases alone, even ones that differ only by a suffix", () => {
    const ns = namespace();
    ns.ip("addr", "add", "192.0.2.10/32", "dev", "e0");
    ns.ip("addr", "add", "192.0.2.2/32", "dev", "e0");
    const list = listFile("192.0.2.1\n192.0.2.2\n");

    const first = ns.runAgent({ FIP_LIST_FILE: list });
    assert.equal(
      first.stdout,
      "fip-alias-agent: bound 192.0.2.1/32 on e0\nfip-alias-agent: 192.0.2.2 is already present on e0, not added by the agent: left as is\n",
    );
    writeFileSync(list, "# nothing floats here any more\n");
    const second = ns.runAgent({ FIP_LIST_FILE: list });

    assert.equal(second.stdout, "fip-alias-agent: removed 192.0.2.1/32 from e0\n");
    assert.equal(second.status, 0);
    assert.deepEqual(ns.cidrs(), ["10.9.0.1/24", "192.0.2.10/32", "192.0.2.2/32"]);
  });

  test("binds an address of an IPv6 /64 with prefix length 64, however it is spelt", () => {
    const ns = namespace();
    const run = ns.runAgent({ FIP_IPS: "2001:DB8:1:2::/64, 2001:db8:0001:0003:0:0:0:5" });

    assert.equal(
      run.stdout,
      "fip-alias-agent: bound 2001:db8:1:2::1/64 on e0\nfip-alias-agent: bound 2001:db8:1:3::5/64 on e0\n",
    );
    assert.equal(run.status, 0);
    const respelt = ns.runAgent({ FIP_IPS: "2001:db8:1:2:0:0:0:0/64 2001:DB8:1:3::5/64" });
    assert.deepEqual(respelt, { status: 0, stdout: "", stderr: "" });
    assert.deepEqual(ns.cidrs(), ["10.9.0.1/24", "2001:db8:1:2::1/64", "2001:db8:1:3::5/64"]);
  });

  test("binds on the configured interface, trimmed, and moves its aliases off the old one", () => {
    const ns = namespace();
    ns.runAgent({ FIP_IPS: "192.0.2.20" });

    const run = ns.runAgent({ FIP_IPS: "192.0.2.20", FIP_INTERFACE: "  e1 " });

    assert.equal(
      run.stdout,
      "fip-alias-agent: bound 192.0.2.20/32 on e1\nfip-alias-agent: removed 192.0.2.20/32 from e0\n",
    );
    assert.deepEqual(ns.cidrs("e1"), ["192.0.2.20/32"]);
    assert.deepEqual(ns.cidrs("e0"), ["10.9.0.1/24"]);
  });

  test("takes the interface of the default route when none is configured", () => {
    const ns = namespace();
    ns.ip("route", "replace", "default", "dev", "e1");

    const run = ns.runAgent({ FIP_IPS: "192.0.2.40" });

    assert.equal(run.stdout, "fip-alias-agent: bound 192.0.2.40/32 on e1\n");
    assert.deepEqual(ns.cidrs("e1"), ["192.0.2.40/32"]);
  });

  test("re-reads the list every pass, and leaves its aliases bound on SIGTERM", {
    timeout: 20_000,
  }, async (t) => {
    const ns = namespace();
    const list = listFile("192.0.2.30\n");
    const agent = ns.startAgent({ FIP_LIST_FILE: list, FIP_INTERVAL: "1" });
    t.after(() => {
      if (agent.exitCode === null && agent.signalCode === null) agent.kill("SIGKILL");
    });
    let stdout = "";
    const waiters: (() => void)[] = [];
    agent.stdout.setEncoding("utf8");
    agent.stdout.on("data", (chunk: string) => {
      stdout += chunk;
      for (const wake of waiters.splice(0)) wake();
    });
    const printed = async (text: string) => {
      while (!stdout.includes(text)) await new Promise<void>((wake) => waiters.push(wake));
    };

    await printed("running: 1 floating IPs on e0 (default route), a pass every 1 s");
    writeFileSync(list, "192.0.2.31\n");
    await printed("removed 192.0.2.30/32 from e0");
    agent.kill("SIGTERM");
    const [code] = await once(agent, "exit");

    assert.equal(code, 0);
    assert.equal(
      stdout,
      [
        "bound 192.0.2.30/32 on e0",
        "running: 1 floating IPs on e0 (default route), a pass every 1 s",
        "bound 192.0.2.31/32 on e0",
        "removed 192.0.2.30/32 from e0",
        "stopping on SIGTERM; the bound addresses stay for the next agent",
        "",
      ]
        .map((line) => (line === "" ? "" : `fip-alias-agent: ${line}`))
        .join("\n"),
    );
    assert.deepEqual(ns.cidrs(), ["10.9.0.1/24", "192.0.2.31/32"]);
  });

  const refusals: [string, Record<string, string>, string][] = [
    [
      "an interface name with a slash",
      { FIP_INTERFACE: "eth0/1", FIP_IPS: "192.0.2.1" },
      'FIP_INTERFACE "eth0/1" is not a valid interface name (1 to 15 characters, no "/", ":" or whitespace)',
    ],
    [
      "an interface name longer than 15 characters",
      { FIP_INTERFACE: "abcdefghijklmnop", FIP_IPS: "192.0.2.1" },
      'FIP_INTERFACE "abcdefghijklmnop" is not a valid interface name (1 to 15 characters, no "/", ":" or whitespace)',
    ],
    [
      "an interface that does not exist",
      { FIP_INTERFACE: "e9", FIP_IPS: "192.0.2.1" },
      'interface "e9" does not exist (FIP_INTERFACE)',
    ],
    [
      "an IPv4 address out of range",
      { FIP_IPS: "192.0.2.300" },
      '"192.0.2.300" is not an IPv4 address, an IPv6 address or an IPv6 /64 network (FIP_IPS)',
    ],
    [
      "an IPv4 prefix other than /32",
      { FIP_IPS: "192.0.2.0/24" },
      '"192.0.2.0/24" has prefix length 24; an IPv4 floating IP is bound as /32 (FIP_IPS)',
    ],
    [
      "an IPv6 network other than /64",
      { FIP_IPS: "2001:db8::/48" },
      '"2001:db8::/48" has prefix length 48; an IPv6 floating IP is a /64 network (FIP_IPS)',
    ],
    [
      "an IPv6 address with two '::'",
      { FIP_IPS: "2001::1::2" },
      '"2001::1::2" is not an IPv4 address, an IPv6 address or an IPv6 /64 network (FIP_IPS)',
    ],
    [
      "no list at all",
      { FIP_LIST_FILE: "/nonexistent/ips" },
      "the list of floating IPs /nonexistent/ips does not exist; mount it or set FIP_IPS",
    ],
  ];
  for (const [name, env, message] of refusals) {
    test(`refuses ${name} with exit code 2 and changes nothing`, () => {
      const ns = namespace();
      const run = ns.runAgent(env);

      assert.deepEqual(run, { status: 2, stdout: "", stderr: `fip-alias-agent: ${message}\n` });
      assert.deepEqual(ns.cidrs(), ["10.9.0.1/24"]);
    });
  }

  test("names the file and line of a bad entry in the list", () => {
    const ns = namespace();
    const run = ns.runAgent({ FIP_LIST_FILE: listFile("192.0.2.1\n# fine\n192.0.2.1O\n") });

    assert.equal(run.status, 2);
    assert.match(
      run.stderr,
      /^fip-alias-agent: "192\.0\.2\.1O" is not an IPv4 address, .* line 3\)\n$/,
    );
    assert.deepEqual(ns.cidrs(), ["10.9.0.1/24"]);
  });
});
