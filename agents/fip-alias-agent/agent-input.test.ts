import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isCI } from "../../test/environment.ts";
import { netnsUnavailable, useAgentScratch } from "./netns-fixture.ts";

// What the agent refuses at start (exit 2, nothing bound) and what it reads leniently: special
// addresses, invisible characters, padded numbers. Real dash, iproute2 and kernel, per test.

const unavailable = netnsUnavailable();

if (unavailable !== undefined && isCI()) {
  test("network namespaces are available under CI", () => {
    assert.fail(`CI=true requires network namespaces: ${unavailable}`);
  });
}

const mustBeUnicast = "a floating IP must be a unicast address the cloud routes to a node";

/** Special-purpose addresses: what FIP_IPS holds, and the range the message names. */
const special: [string, string][] = [
  ["0.0.0.0", "is in 0.0.0.0/8, the unspecified range"],
  ["0.1.2.3", "is in 0.0.0.0/8, the unspecified range"],
  ["127.0.0.1", "is in 127.0.0.0/8, the loopback range"],
  ["169.254.169.254", "is in 169.254.0.0/16, the link-local range"],
  ["224.0.0.1", "is in 224.0.0.0/4, the multicast range"],
  ["239.255.255.250/32", "is in 224.0.0.0/4, the multicast range"],
  ["255.255.255.255", "is the broadcast address"],
  ["::", "is in ::/8, the unspecified, loopback and IPv4-mapped range"],
  ["::/64", "is in ::/8, the unspecified, loopback and IPv4-mapped range"],
  ["0:0:0:0::1", "is in ::/8, the unspecified, loopback and IPv4-mapped range"],
  ["::ffff:c000:201", "is in ::/8, the unspecified, loopback and IPv4-mapped range"],
  ["fe80::/64", "is in fe80::/10, the link-local range"],
  ["FEBF::1", "is in fe80::/10, the link-local range"],
  ["ff02::1", "is in ff00::/8, the multicast range"],
];

/** Start-up values refused with exit code 2, and the message. */
const badNumbers: [string, Record<string, string>, string][] = [
  ["a mark above 32 bits", { FIP_MARK_METRIC: "4294967296" }, "from 1 to 4294967295"],
  ["a mark of 20 digits", { FIP_MARK_METRIC: "99999999999999999999" }, "from 1 to 4294967295"],
  ["a mark of zero", { FIP_MARK_METRIC: "0" }, "from 1 to 4294967295"],
  ["an interval above a day", { FIP_INTERVAL: "86401" }, "from 1 to 86400"],
  ["an interval with a unit", { FIP_INTERVAL: "5s" }, "from 1 to 86400"],
];

describe("fip-alias-agent's input checks in a network namespace", { skip: unavailable }, () => {
  const scratch = useAgentScratch();

  for (const [address, range] of special) {
    test(`refuses ${address} with exit code 2 and binds nothing`, () => {
      const ns = scratch.namespace();
      const run = ns.runAgent({ FIP_IPS: `192.0.2.1 ${address}` });

      const message = `fip-alias-agent: "${address}" ${range}; ${mustBeUnicast} (FIP_IPS)\n`;
      assert.deepEqual(run, { status: 2, stdout: "", stderr: message });
      assert.deepEqual(ns.cidrs(), ["10.9.0.1/24"]);
      assert.doesNotMatch(ns.ip("-o", "addr", "show", "dev", "lo"), /metric/);
    });
  }

  test("names the list file and line of a special-purpose address", () => {
    const ns = scratch.namespace();
    const list = scratch.listFile("192.0.2.1\n\n127.0.0.1 # loopback\n");

    const run = ns.runAgent({ FIP_LIST_FILE: list });

    assert.equal(run.status, 2);
    assert.equal(
      run.stderr,
      `fip-alias-agent: "127.0.0.1" is in 127.0.0.0/8, the loopback range; ${mustBeUnicast} (${list} line 3)\n`,
    );
  });

  test("binds the unicast addresses next to the special ranges", () => {
    const ns = scratch.namespace();
    const edges = "1.0.0.1 126.255.255.254 128.0.0.1 169.253.0.1 223.255.255.254 fec0:1:2:3::/64";

    const run = ns.runAgent({ FIP_IPS: edges });

    assert.equal(run.stderr, "");
    assert.equal(run.status, 0);
    // fec0::/10 is site-local in scope, so count what the agent bound rather than global addresses.
    assert.equal(run.stdout.match(/: bound /g)?.length, 6);
  });

  test("skips a byte-order mark at the start of the list file", () => {
    const ns = scratch.namespace();
    const list = scratch.listFile("\uFEFF192.0.2.1\n# café, comments may hold any text\n");

    const run = ns.runAgent({ FIP_LIST_FILE: list });

    assert.deepEqual(run, {
      status: 0,
      stdout: "fip-alias-agent: bound 192.0.2.1/32 on e0\n",
      stderr: "",
    });
  });

  const invisible: [
    string,
    (scratch: ReturnType<typeof useAgentScratch>) => Record<string, string>,
    string,
  ][] = [
    [
      "a non-breaking space after an address in the file",
      (s) => ({ FIP_LIST_FILE: s.listFile("192.0.2.2\n192.0.2.1\u00a0\n") }),
      'at column 10, after "192.0.2.1", is not part of any address',
    ],
    [
      "a byte-order mark on a later line",
      (s) => ({ FIP_LIST_FILE: s.listFile("192.0.2.2\n\uFEFF192.0.2.1\n") }),
      "at column 1, is not part of any address",
    ],
    [
      "a non-breaking space in FIP_IPS",
      () => ({ FIP_IPS: "192.0.2.1,\u00a0192.0.2.2" }),
      'at column 11, after "192.0.2.1,", is not part of any address',
    ],
    [
      "a control character in FIP_IPS",
      () => ({ FIP_IPS: "192.0.2.1\u0007" }),
      'at column 10, after "192.0.2.1", is not part of any address',
    ],
  ];
  for (const [name, env, where] of invisible) {
    test(`names the column of ${name}, printing only ASCII`, () => {
      const ns = scratch.namespace();
      const values = env(scratch);

      const run = ns.runAgent(values);

      const source = values.FIP_LIST_FILE ? `${values.FIP_LIST_FILE} line 2` : "FIP_IPS";
      const message = `fip-alias-agent: a non-ASCII or control character ${where} (a non-breaking space or a byte-order mark, say); write the list in plain ASCII (${source})\n`;
      assert.deepEqual(run, { status: 2, stdout: "", stderr: message });
      assert.deepEqual(ns.cidrs(), ["10.9.0.1/24"]);
    });
  }

  test("trims FIP_INTERVAL and FIP_MARK_METRIC like FIP_INTERFACE", () => {
    const ns = scratch.namespace();
    const env = { FIP_IPS: "192.0.2.1", FIP_INTERVAL: " 5 ", FIP_MARK_METRIC: "\t4294967295 " };

    const run = ns.runAgent(env);

    assert.deepEqual(run, {
      status: 0,
      stdout: "fip-alias-agent: bound 192.0.2.1/32 on e0\n",
      stderr: "",
    });
    assert.deepEqual(ns.addresses()[1], { cidr: "192.0.2.1/32", metric: 4294967295 });
  });

  for (const [name, env, range] of badNumbers) {
    test(`refuses ${name} at start, before binding anything`, () => {
      const ns = scratch.namespace();
      const [variable, value] = Object.entries(env)[0] ?? [];

      const run = ns.runAgent({ FIP_IPS: "192.0.2.1", ...env });

      const message = `fip-alias-agent: ${variable} "${value}" is not a whole number ${range}\n`;
      assert.deepEqual(run, { status: 2, stdout: "", stderr: message });
      assert.deepEqual(ns.cidrs(), ["10.9.0.1/24"]);
    });
  }
});
