/** The environment variable naming registries (host or host:port, comma-separated) that speak plain http. */
export const INSECURE_REGISTRIES_VARIABLE = "SOLERA_INSECURE_REGISTRIES";

/** The host part of `host`, `host:port`, `[::1]` or `[::1]:port`, without brackets. */
export function hostName(registry: string): string {
  if (registry.startsWith("[")) return registry.slice(1, registry.indexOf("]"));
  const colon = registry.indexOf(":");
  return colon === -1 ? registry : registry.slice(0, colon);
}

/** True for localhost, 127.0.0.0/8 and ::1: registries there are reached over plain http. */
export function isLoopback(registry: string): boolean {
  const host = hostName(registry).toLowerCase();
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** The registries listed in `SOLERA_INSECURE_REGISTRIES`. */
export function insecureRegistries(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env[INSECURE_REGISTRIES_VARIABLE] ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
}

/**
 * The scheme to reach a registry with: `http` for loopback hosts and the insecure list (matched
 * by `host:port` or by host alone), `https` otherwise.
 */
export function registryScheme(
  registry: string,
  insecure = insecureRegistries(),
): "http" | "https" {
  if (isLoopback(registry)) return "http";
  const matches = insecure.some((entry) => entry === registry || entry === hostName(registry));
  return matches ? "http" : "https";
}

/** The base URL of a registry's API root: `https://host/v2/`. Docker Hub's API host is not docker.io. */
export function registryBaseUrl(registry: string, insecure?: string[]): URL {
  const host = registry === "docker.io" ? "registry-1.docker.io" : registry;
  return new URL(`${registryScheme(registry, insecure)}://${host}/v2/`);
}
