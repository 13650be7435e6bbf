import type { FloatingIp, Server } from "./hcloud/types.ts";
import { sameAddress } from "./ip.ts";
import { matchesSelector, type Selector } from "./selector.ts";

/** The parts of a Kubernetes Node the controller reads. */
export interface KubeNode {
  metadata: { name: string; labels?: Record<string, string>; resourceVersion?: string };
  spec?: {
    providerID?: string;
    unschedulable?: boolean;
    taints?: { key: string; effect?: string }[];
  };
  status?: {
    conditions?: { type: string; status: string }[];
    addresses?: { type: string; address: string }[];
  };
}

/** A decision to assign one floating IP to another server. */
export interface Move {
  ip: FloatingIp;
  fromServer: number | null;
  fromNode: string | undefined;
  toServer: number;
  toNode: string;
}

/** What one reconcile pass decided. */
export interface Plan {
  moves: Move[];
  /** IPs that need a new home but have none: they stay where they are. */
  stranded: { ip: FloatingIp; node: string | undefined }[];
}

// Taints the node lifecycle controller sets when a node stops reporting
// (https://kubernetes.io/docs/reference/labels-annotations-taints/).
const unhealthyTaints = new Set(["node.kubernetes.io/unreachable", "node.kubernetes.io/not-ready"]);

/** Healthy: Ready=True, schedulable, not tainted unreachable/not-ready, matching the selector. */
export function isHealthy(node: KubeNode, selector: Selector): boolean {
  const ready = node.status?.conditions?.find((c) => c.type === "Ready")?.status === "True";
  const tainted = (node.spec?.taints ?? []).some((t) => unhealthyTaints.has(t.key));
  return (
    ready &&
    node.spec?.unschedulable !== true &&
    !tainted &&
    matchesSelector(selector, node.metadata.labels ?? {})
  );
}

/**
 * Finds the server behind each node: the providerID `hcloud://<id>`, else a node address equal
 * to a server's public IPv4 or inside its IPv6 /64, else a server with the node's name.
 */
export function mapNodesToServers(nodes: KubeNode[], servers: Server[]): Map<string, number> {
  const result = new Map<string, number>();
  for (const node of nodes) {
    const id = /^hcloud:\/\/(\d+)$/.exec(node.spec?.providerID ?? "")?.[1];
    if (id) {
      result.set(node.metadata.name, Number(id));
      continue;
    }
    const addresses = (node.status?.addresses ?? []).map((a) => a.address);
    const byAddress = servers.find((s) =>
      [s.public_net.ipv4?.ip, s.public_net.ipv6?.ip].some(
        (ip) => ip !== undefined && addresses.some((a) => sameAddress(a, ip)),
      ),
    );
    const server = byAddress ?? servers.find((s) => s.name === node.metadata.name);
    if (server) result.set(node.metadata.name, server.id);
  }
  return result;
}

/** Whether any node lacks an `hcloud://` providerID, so mapping needs the server list. */
export function needsServers(nodes: KubeNode[]): boolean {
  return nodes.some((n) => !/^hcloud:\/\/\d+$/.test(n.spec?.providerID ?? ""));
}

/**
 * Decides, per floating IP, where it should be. An IP stays while its server's node is healthy;
 * otherwise it moves to the healthy node holding the fewest IPs (ties broken by name). Never
 * unassigns: an IP without a healthy target stays put and is reported as stranded.
 */
export function planAssignments(
  nodes: KubeNode[],
  servers: Server[],
  ips: FloatingIp[],
  selector: Selector,
): Plan {
  const serverOf = mapNodesToServers(nodes, servers);
  const nodeOf = new Map<number, string>();
  for (const [node, server] of serverOf) nodeOf.set(server, node);
  const healthy = nodes
    .filter((n) => isHealthy(n, selector) && serverOf.has(n.metadata.name))
    .map((n) => n.metadata.name);
  const healthySet = new Set(healthy);

  const load = new Map<string, number>(healthy.map((n) => [n, 0]));
  const needy: FloatingIp[] = [];
  for (const ip of [...ips].sort((a, b) => a.id - b.id)) {
    const node = ip.server === null ? undefined : nodeOf.get(ip.server);
    if (node !== undefined && healthySet.has(node)) load.set(node, (load.get(node) ?? 0) + 1);
    else needy.push(ip);
  }

  const plan: Plan = { moves: [], stranded: [] };
  for (const ip of needy) {
    const fromNode = ip.server === null ? undefined : nodeOf.get(ip.server);
    const target = leastLoaded(load);
    if (target === undefined) {
      plan.stranded.push({ ip, node: fromNode });
      continue;
    }
    load.set(target, (load.get(target) ?? 0) + 1);
    const toServer = serverOf.get(target) as number;
    plan.moves.push({ ip, fromServer: ip.server, fromNode, toServer, toNode: target });
  }
  return plan;
}

/** The node with the fewest IPs; ties go to the name that sorts first. */
function leastLoaded(load: Map<string, number>): string | undefined {
  let best: string | undefined;
  for (const [node, count] of load) {
    const bestCount = best === undefined ? Infinity : (load.get(best) as number);
    if (count < bestCount || (count === bestCount && best !== undefined && node < best))
      best = node;
  }
  return best;
}
