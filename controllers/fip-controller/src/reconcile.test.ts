import assert from "node:assert/strict";
import { test } from "node:test";
import type { FloatingIp, Server } from "./hcloud/types.ts";
import { isHealthy, type KubeNode, mapNodesToServers, planAssignments } from "./reconcile.ts";
import { parseSelector } from "./selector.ts";

function node(
  name: string,
  extra: {
    server?: number;
    ready?: boolean;
    cordoned?: boolean;
    taint?: string;
    labels?: Record<string, string>;
    addresses?: string[];
  } = {},
): KubeNode {
  return {
    metadata: { name, labels: extra.labels ?? {} },
    spec: {
      providerID: extra.server === undefined ? undefined : `hcloud://${extra.server}`,
      unschedulable: extra.cordoned,
      taints: extra.taint ? [{ key: extra.taint, effect: "NoExecute" }] : [],
    },
    status: {
      conditions: [{ type: "Ready", status: extra.ready === false ? "False" : "True" }],
      addresses: (extra.addresses ?? []).map((address) => ({ type: "ExternalIP", address })),
    },
  };
}

function server(id: number, name: string, v4: string, v6: string): Server {
  return { id, name, public_net: { ipv4: { ip: v4 }, ipv6: { ip: v6 } } };
}

function fip(id: number, serverId: number | null): FloatingIp {
  return {
    id,
    name: `fip-${id}`,
    ip: `198.51.100.${id}`,
    type: "ipv4",
    server: serverId,
    labels: {},
  };
}

test("health follows Ready, cordon, the unreachable and not-ready taints, and the selector", () => {
  const role = parseSelector("role=edge");
  const cases: [string, KubeNode, boolean][] = [
    ["ready node", node("a", { labels: { role: "edge" } }), true],
    ["not ready", node("a", { ready: false, labels: { role: "edge" } }), false],
    ["cordoned", node("a", { cordoned: true, labels: { role: "edge" } }), false],
    [
      "unreachable taint",
      node("a", { taint: "node.kubernetes.io/unreachable", labels: { role: "edge" } }),
      false,
    ],
    [
      "not-ready taint",
      node("a", { taint: "node.kubernetes.io/not-ready", labels: { role: "edge" } }),
      false,
    ],
    ["other taint", node("a", { taint: "dedicated", labels: { role: "edge" } }), true],
    ["selector mismatch", node("a", { labels: { role: "db" } }), false],
  ];
  for (const [name, n, want] of cases) assert.equal(isHealthy(n, role), want, name);
});

test("maps nodes by providerID, then public IPv4 or IPv6 /64, then name", () => {
  const servers = [
    server(1, "s1", "203.0.113.1", "2001:db8:1::/64"),
    server(2, "s2", "203.0.113.2", "2001:db8:2::/64"),
    server(3, "c", "203.0.113.3", "2001:db8:3::/64"),
  ];
  const nodes = [
    node("a", { server: 7 }),
    node("b", { addresses: ["10.0.0.5", "203.0.113.2"] }),
    node("v6", { addresses: ["2001:db8:1:0:abcd::9"] }),
    node("c"),
    node("none", { addresses: ["203.0.113.22"] }),
  ];
  assert.deepEqual(
    [...mapNodesToServers(nodes, servers)],
    [
      ["a", 7],
      ["b", 2],
      ["v6", 1],
      ["c", 3],
    ],
  );
});

test("plans moves by health and load, never touching IPs on healthy nodes", () => {
  const servers: Server[] = [];
  const none = parseSelector("");
  const cases: {
    name: string;
    nodes: KubeNode[];
    ips: FloatingIp[];
    moves: [number, string][];
    stranded: number[];
  }[] = [
    {
      name: "steady state",
      nodes: [node("a", { server: 1 }), node("b", { server: 2 })],
      ips: [fip(1, 1)],
      moves: [],
      stranded: [],
    },
    {
      name: "unhealthy holder moves to least loaded",
      nodes: [
        node("a", { server: 1, ready: false }),
        node("b", { server: 2 }),
        node("c", { server: 3 }),
      ],
      ips: [fip(1, 1), fip(2, 2)],
      moves: [[1, "c"]],
      stranded: [],
    },
    {
      name: "ties go to the first name",
      nodes: [
        node("c", { server: 3 }),
        node("b", { server: 2 }),
        node("a", { server: 1, cordoned: true }),
      ],
      ips: [fip(1, 1)],
      moves: [[1, "b"]],
      stranded: [],
    },
    {
      name: "spreads several IPs",
      nodes: [
        node("a", { server: 1, ready: false }),
        node("b", { server: 2 }),
        node("c", { server: 3 }),
      ],
      ips: [fip(1, 1), fip(2, 1), fip(3, 1)],
      moves: [
        [1, "b"],
        [2, "c"],
        [3, "b"],
      ],
      stranded: [],
    },
    {
      name: "unassigned IP gets a node",
      nodes: [node("a", { server: 1 })],
      ips: [fip(1, null)],
      moves: [[1, "a"]],
      stranded: [],
    },
    {
      name: "IP on an unknown server moves",
      nodes: [node("a", { server: 1 })],
      ips: [fip(1, 99)],
      moves: [[1, "a"]],
      stranded: [],
    },
    {
      name: "no healthy node leaves it",
      nodes: [node("a", { server: 1, ready: false })],
      ips: [fip(1, 1)],
      moves: [],
      stranded: [1],
    },
    {
      name: "recovered old node does not pull back",
      nodes: [node("a", { server: 1 }), node("b", { server: 2 })],
      ips: [fip(1, 2)],
      moves: [],
      stranded: [],
    },
  ];
  for (const c of cases) {
    const plan = planAssignments(c.nodes, servers, c.ips, none);
    assert.deepEqual(
      plan.moves.map((m) => [m.ip.id, m.toNode]),
      c.moves,
      c.name,
    );
    assert.deepEqual(
      plan.stranded.map((s) => s.ip.id),
      c.stranded,
      c.name,
    );
  }
});

test("selectors read equality, inequality and existence, and refuse set-based forms", () => {
  assert.deepEqual(parseSelector("a=b, c!=d,e,!f,g==h"), [
    { key: "a", op: "=", value: "b" },
    { key: "c", op: "!=", value: "d" },
    { key: "e", op: "exists" },
    { key: "f", op: "!exists" },
    { key: "g", op: "=", value: "h" },
  ]);
  assert.throws(
    () => parseSelector("zone in (a,b)"),
    /set-based requirement "zone in \(a,b\)" is not supported/,
  );
  assert.throws(() => parseSelector("a=b=c"), {
    message: 'cannot read requirement "a=b=c": "b=c" is not a label value',
  });
  assert.throws(() => parseSelector("role=edge node"), {
    message: 'cannot read requirement "role=edge node": "edge node" is not a label value',
  });
  assert.throws(() => parseSelector("my role=edge"), {
    message: 'cannot read requirement "my role=edge"',
  });
});
