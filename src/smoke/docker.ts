import { randomBytes } from "node:crypto";
import { findAnsweringDocker } from "../build/engines/detect.ts";
import { runProcess } from "../build/process.ts";
import { ExitCode, UserError } from "../errors.ts";

/** A Docker client whose engine answers. */
export interface DockerClient {
  path: string;
  env: NodeJS.ProcessEnv;
}

/** What one `docker run` of a smoke test left behind. */
export interface ContainerRun {
  /** The container's exit code; undefined when it was stopped at the timeout. */
  code?: number;
  stdout: string;
  /** The last lines of stdout and stderr together. */
  tail: string[];
  durationMs: number;
}

/**
 * Finds a Docker client that reaches a running engine, the way the build finds one (every
 * `docker` on PATH, or SOLERA_DOCKER). Running containers needs no BuildKit, so any client
 * with an engine will do. Throws a UserError (exit 3) when none answers.
 */
export async function findDockerClient(
  env: NodeJS.ProcessEnv = process.env,
): Promise<DockerClient> {
  const { probe, problems } = await findAnsweringDocker(env);
  if (probe) return { path: probe.path, env };
  const tried = problems.length > 0 ? problems.join("; ") : "no docker client on PATH";
  throw new UserError(`smoke tests need a Docker engine to run containers: ${tried}`, {
    exitCode: ExitCode.environment,
    hint: "install the Docker engine (Debian: apt-get install docker.io) and start dockerd; SOLERA_DOCKER may name the docker client to use",
  });
}

/**
 * Runs `docker run --rm --platform <p> --entrypoint <argv[0]> <image> <argv[1..]>`: the first
 * word of a smoke test replaces the image's entrypoint, so a test states its whole command and
 * does not depend on what ENTRYPOINT prepends. At the timeout the container is removed, which
 * ends the client too.
 */
export async function runContainer(
  docker: DockerClient,
  image: string,
  platform: string,
  argv: string[],
  timeoutMs: number,
): Promise<ContainerRun> {
  const name = `solera-smoke-${randomBytes(6).toString("hex")}`;
  const [entrypoint = "", ...args] = argv;
  const started = performance.now();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void runProcess(docker.path, ["rm", "-f", name], { env: docker.env });
  }, timeoutMs);

  try {
    const result = await runProcess(
      docker.path,
      [
        "run",
        "--rm",
        "--name",
        name,
        "--platform",
        platform,
        "--entrypoint",
        entrypoint,
        image,
        ...args,
      ],
      { env: docker.env },
    );
    const durationMs = Math.round(performance.now() - started);
    return {
      code: timedOut ? undefined : result.code,
      stdout: result.stdout,
      tail: result.tail,
      durationMs,
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Pulls an image for one platform; the output's last lines when it fails. */
export async function pullImage(
  docker: DockerClient,
  image: string,
  platform: string,
): Promise<{ ok: boolean; tail: string[] }> {
  const result = await runProcess(docker.path, ["pull", "--quiet", "--platform", platform, image], {
    env: docker.env,
  });
  return { ok: result.code === 0, tail: result.tail };
}

/** The `os/arch` of a local image, or undefined when the engine does not have it. */
export async function localImagePlatform(
  docker: DockerClient,
  image: string,
): Promise<string | undefined> {
  // `.Variant` is left out: a 20.10 engine does not report it for every image.
  const format = "{{.Os}}/{{.Architecture}}";
  const result = await runProcess(docker.path, ["image", "inspect", "--format", format, image], {
    env: docker.env,
  });
  return result.code === 0 ? result.stdout.trim() : undefined;
}
