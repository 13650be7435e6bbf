import { accessSync, constants, realpathSync } from "node:fs";
import { delimiter, join } from "node:path";
import { runProcess } from "../process.ts";
import { BuildctlEngine } from "./buildctl.ts";
import { BuildxEngine } from "./buildx.ts";
import { DockerBuildEngine } from "./docker-build.ts";
import { type Engine, NoEngineError } from "./engine.ts";

/** What `--engine` accepts. */
export type EngineChoice = "auto" | "buildx" | "docker" | "buildctl";

/** How to find an engine. */
export interface DetectOptions {
  engine?: EngineChoice;
  /** buildkitd address for `buildctl` (`tcp://host:1234`, `unix:///run/buildkit/buildkitd.sock`). */
  buildkitAddr?: string;
  env?: NodeJS.ProcessEnv;
}

/** What probing one Docker client found. */
interface DockerProbe {
  path: string;
  server?: string;
  buildx?: string;
  buildkit: boolean;
  problem?: string;
}

const INSTALL_HINT =
  "install the Docker engine (Debian: apt-get install docker.io) and start dockerd, add the buildx plugin (Debian: apt-get install docker-buildx), or build on a remote BuildKit with --engine buildctl --buildkit-addr tcp://host:1234; SOLERA_DOCKER may name the docker client to use";

/**
 * Finds a BuildKit engine. `SOLERA_DOCKER` names the Docker client to use; otherwise every
 * `docker` on PATH is probed in order, because the first one is not always able to build: a
 * Docker CLI without the buildx plugin refuses DOCKER_BUILDKIT=1, while an older client with
 * BuildKit built in (20.10) may sit later on PATH. Auto prefers buildx, then `docker build`,
 * then buildctl with an address. Throws NoEngineError (exit 3) saying what was tried.
 */
export async function detectEngine(options: DetectOptions = {}): Promise<Engine> {
  const env = options.env ?? process.env;
  const choice = options.engine ?? "auto";
  const address = options.buildkitAddr ?? env.BUILDKIT_HOST;

  if (choice === "buildctl") return buildctlEngine(env, address, true) as Promise<Engine>;

  // Probed together: each probe is a few short client runs, and they add up on every build.
  const probes = await Promise.all(dockerCandidates(env).map((path) => probeDocker(path, env)));

  const withBuildx = probes.find((probe) => probe.server && probe.buildx);
  if (withBuildx && (choice === "auto" || choice === "buildx")) {
    return new BuildxEngine({ docker: withBuildx.path, version: withBuildx.buildx, env });
  }
  const withBuildkit = probes.find((probe) => probe.server && probe.buildkit);
  if (withBuildkit && (choice === "auto" || choice === "docker")) {
    return new DockerBuildEngine({ docker: withBuildkit.path, version: withBuildkit.server, env });
  }
  if (choice === "auto" && address) {
    const engine = await buildctlEngine(env, address, false);
    if (engine) return engine;
  }
  throw new NoEngineError(noEngineMessage(choice, probes, env), INSTALL_HINT);
}

function noEngineMessage(
  choice: EngineChoice,
  probes: DockerProbe[],
  env: NodeJS.ProcessEnv,
): string {
  const wanted =
    choice === "auto" ? "no build engine found" : `the ${choice} engine is not usable here`;
  if (probes.length === 0) {
    const where = env.SOLERA_DOCKER
      ? `SOLERA_DOCKER=${env.SOLERA_DOCKER} is not an executable`
      : "no docker client on PATH";
    return `${wanted}: ${where}`;
  }
  const tried = probes.map((probe) => `${probe.path}: ${probe.problem ?? describeProbe(probe)}`);
  return `${wanted}: ${tried.join("; ")}`;
}

function describeProbe(probe: DockerProbe): string {
  if (!probe.buildkit && !probe.buildx)
    return "cannot build with BuildKit (no buildx plugin, and DOCKER_BUILDKIT=1 is refused)";
  return probe.buildx ? `has buildx ${probe.buildx}` : "has BuildKit but no buildx";
}

/** The Docker clients to probe: SOLERA_DOCKER alone when set, else each `docker` on PATH. */
export function dockerCandidates(env: NodeJS.ProcessEnv): string[] {
  if (env.SOLERA_DOCKER) return isExecutable(env.SOLERA_DOCKER) ? [env.SOLERA_DOCKER] : [];
  const seen = new Set<string>();
  const found: string[] = [];
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const path = join(dir, "docker");
    if (!isExecutable(path)) continue;
    const real = realpathSync(path);
    if (seen.has(real)) continue;
    seen.add(real);
    found.push(path);
  }
  return found;
}

async function probeDocker(path: string, env: NodeJS.ProcessEnv): Promise<DockerProbe> {
  const [server, buildx, buildkit] = await Promise.all([
    runProcess(path, ["version", "--format", "{{.Server.Version}}"], { env }),
    runProcess(path, ["buildx", "version"], { env }),
    runProcess(path, ["build", "--help"], { env: { ...env, DOCKER_BUILDKIT: "1" } }),
  ]);
  if (server.code !== 0) {
    const why = server.tail.at(-1) ?? `exit code ${server.code}`;
    return { path, buildkit: false, problem: `the Docker engine does not answer (${why})` };
  }
  const version = server.stdout.trim();
  const probe: DockerProbe = { path, server: version, buildkit: buildkit.code === 0 };
  if (buildx.code === 0) probe.buildx = buildx.stdout.trim().split(/\s+/)[1];
  if (!probe.buildx && probe.buildkit && !atLeast(version, 20, 10)) {
    return { ...probe, buildkit: false, problem: `Docker ${version} is older than 20.10` };
  }
  return probe;
}

async function buildctlEngine(
  env: NodeJS.ProcessEnv,
  address: string | undefined,
  required: boolean,
): Promise<BuildctlEngine | undefined> {
  const binary = env.SOLERA_BUILDCTL ?? findOnPath("buildctl", env);
  if (binary && address) return new BuildctlEngine({ buildctl: binary, address, env });
  if (!required) return undefined;
  const problem = binary
    ? "no buildkitd address (--buildkit-addr or BUILDKIT_HOST)"
    : "no buildctl on PATH";
  throw new NoEngineError(
    `the buildctl engine is not usable here: ${problem}`,
    "install buildctl (it ships with BuildKit's releases) and pass --buildkit-addr tcp://host:1234 for a running buildkitd",
  );
}

function findOnPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function atLeast(version: string, major: number, minor: number): boolean {
  const [a = 0, b = 0] = version.split(/[.+-]/).map(Number);
  return a > major || (a === major && b >= minor);
}
