/** Expands an IPv6 address (without prefix) to eight hextets; undefined when it is not one. */
export function expandIpv6(address: string): number[] | undefined {
  const text = address.split("/")[0]?.toLowerCase() ?? "";
  if (!text.includes(":")) return undefined;
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const read = (s: string | undefined) => (s ? s.split(":") : []);
  const head = read(halves[0]);
  const tail = read(halves[1]);
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  const values = groups.map((g) =>
    /^[0-9a-f]{1,4}$/.test(g) ? Number.parseInt(g, 16) : Number.NaN,
  );
  return values.some(Number.isNaN) ? undefined : values;
}

/** The /64 network of an IPv6 address as a comparable key, e.g. `2001:db8:0:1`. */
export function ipv6Network64(address: string): string | undefined {
  return expandIpv6(address)
    ?.slice(0, 4)
    .map((g) => g.toString(16))
    .join(":");
}

/**
 * Whether a node address belongs to a server or floating address: IPv4 compared exactly,
 * IPv6 by /64 network (Hetzner gives each server and each IPv6 floating IP a /64).
 */
export function sameAddress(nodeAddress: string, other: string): boolean {
  if (other.includes(":")) {
    const net = ipv6Network64(other);
    return net !== undefined && net === ipv6Network64(nodeAddress);
  }
  return nodeAddress === other.split("/")[0];
}
