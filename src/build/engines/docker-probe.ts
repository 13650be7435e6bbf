import { runProcess } from "../process.ts";

/** What probing one Docker client found. */
export interface DockerProbe {
  path: string;
  /** The engine's version; absent when the engine does not answer. */
  server?: string;
  /** The buildx plugin's version, when the client has the plugin. */
  buildx?: string;
  /** True when `DOCKER_BUILDKIT=1 docker build` builds with BuildKit. */
  buildkit: boolean;
  /** The engine's `registry-mirrors` for Docker Hub, as hosts without scheme. */
  mirrors: string[];
  /** Why this client cannot build, in a few words. */
  problem?: string;
}

interface ClientInfo {
  Version?: string;
  Plugins?: { Name?: string; Version?: string }[];
}

// One `docker info` answers everything a run asks of the client: the client's version and
// plugins (buildx among them), the engine's version, and its registry mirrors. Three separate
// client runs per candidate (version, buildx version, build --help) plus a `docker info` for
// the mirrors cost about 100 ms of every build; this is one run, about 40 ms.
const INFO_FORMAT = "{{json .ClientInfo}}\t{{.ServerVersion}}\t{{json .RegistryConfig.Mirrors}}";

/**
 * Probes one Docker client with a single `docker info`. BuildKit without buildx is inferred from
 * the client's version: clients before 23.0 (whose `docker info` does not report a client
 * version) have BuildKit built in behind DOCKER_BUILDKIT=1; from 23.0 on, the classic
 * `docker build` hands BuildKit builds to the buildx plugin and refuses them without it.
 */
export async function probeDocker(path: string, env: NodeJS.ProcessEnv): Promise<DockerProbe> {
  const info = await runProcess(path, ["info", "--format", INFO_FORMAT], { env });
  const [clientJson = "", server = "", mirrorsJson = ""] = info.stdout.trim().split("\t");
  if (info.code !== 0 || !server) {
    return { path, buildkit: false, mirrors: [], problem: await whyNoEngine(path, env) };
  }

  const client = parseJson<ClientInfo>(clientJson) ?? {};
  const buildx = client.Plugins?.find((plugin) => plugin.Name === "buildx")?.Version;
  const builtIn = client.Version === undefined || !atLeast(client.Version, 23, 0);
  const probe: DockerProbe = {
    path,
    server,
    buildx,
    buildkit: builtIn || buildx !== undefined,
    mirrors: (parseJson<string[] | null>(mirrorsJson) ?? []).map(hostOf),
  };
  if (!buildx && probe.buildkit && !atLeast(server, 20, 10)) {
    return { ...probe, buildkit: false, problem: `Docker ${server} is older than 20.10` };
  }
  return probe;
}

/**
 * Why the engine did not answer. Only on this failure path: `docker info` of a 20.10 client
 * reports a template error instead of the connection error, while `docker version` names it.
 */
async function whyNoEngine(path: string, env: NodeJS.ProcessEnv): Promise<string> {
  const version = await runProcess(path, ["version", "--format", "{{.Server.Version}}"], { env });
  const why = version.tail.at(-1) ?? `exit code ${version.code}`;
  return `the Docker engine does not answer (${why})`;
}

function parseJson<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

function hostOf(url: string): string {
  return url.replace(/^https?:\/\//, "").replace(/\/+$/, "");
}

/** True when a version like `20.10.24+dfsg1` or `28.2.2` is at least major.minor. */
export function atLeast(version: string, major: number, minor: number): boolean {
  const [a = 0, b = 0] = version.replace(/^v/, "").split(/[.+-]/).map(Number);
  return a > major || (a === major && b >= minor);
}
