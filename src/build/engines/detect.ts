import { accessSync, constants, realpathSync } from "node:fs";
import { delimiter, join } from "node:path";
import { BuildctlEngine } from "./buildctl.ts";
import { BuildxEngine } from "./buildx.ts";
import { DockerBuildEngine } from "./docker-build.ts";
import { type DockerProbe, probeDocker } from "./docker-probe.ts";
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

  // Probed together: one `docker info` each, run side by side.
  const probes = await Promise.all(dockerCandidates(env).map((path) => probeDocker(path, env)));

  const withBuildx = probes.find((probe) => probe.server && probe.buildx);
  if (withBuildx && (choice === "auto" || choice === "buildx")) {
    const { path, buildx, mirrors } = withBuildx;
    return new BuildxEngine({ docker: path, version: buildx, env, mirrors });
  }
  const withBuildkit = probes.find((probe) => probe.server && probe.buildkit);
  if (withBuildkit && (choice === "auto" || choice === "docker")) {
    const { path, server, mirrors } = withBuildkit;
    return new DockerBuildEngine({ docker: path, version: server, env, mirrors });
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

/** The first Docker client whose engine answers, and why each one probed before it did not. */
export interface AnsweringDocker {
  /** The probe of the first client with an engine; absent when none answers. */
  probe?: DockerProbe;
  /** `<path>: <why>` for each client probed without an engine. */
  problems: string[];
}

/**
 * Probes the Docker clients in dockerCandidates order, one at a time, and stops at the first
 * whose engine answers. For work that needs an engine but not BuildKit: running containers,
 * reading the engine's registry mirrors.
 */
export async function findAnsweringDocker(env: NodeJS.ProcessEnv): Promise<AnsweringDocker> {
  const problems: string[] = [];
  const candidates = dockerCandidates(env);
  if (env.SOLERA_DOCKER && candidates.length === 0) {
    problems.push(`SOLERA_DOCKER=${env.SOLERA_DOCKER} is not an executable`);
  }
  for (const path of candidates) {
    const probe = await probeDocker(path, env);
    if (probe.server) return { probe, problems };
    problems.push(`${path}: ${probe.problem ?? "no engine"}`);
  }
  return { problems };
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
