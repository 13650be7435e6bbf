/**
 * The prepared machine as the integration tests see it: the registries, the credentials and
 * the Docker client that `scripts/prepare-machine.sh` set up, described in
 * /var/lib/solera/test-env.json. Tests that need one of these skip with a reason when it is
 * absent, except under `CI=true`, where a missing component is a failure.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { z } from "zod";

/** Where prepare-machine.sh writes the description; `SOLERA_TEST_ENV` overrides it. */
export const defaultTestEnvPath = "/var/lib/solera/test-env.json";

/** The shape of test-env.json (see scripts/machine/test-env.sh). */
export const TestEnvironmentSchema = z.object({
  mirror: z.string().min(1),
  pushRegistry: z.string().min(1),
  username: z.string().min(1),
  password: z.string().min(1),
  docker: z.string().min(1),
  standIns: z.array(z.string()),
  platforms: z.array(z.string()).default([]),
});

/** The prepared machine: registry hosts (`host:port`), push credentials, Docker client path. */
export type TestEnvironment = z.infer<typeof TestEnvironmentSchema>;

/** A prepared machine that is missing or broken where the tests require one. */
export class TestEnvironmentError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "TestEnvironmentError";
  }
}

/** Why a test that needs the prepared machine skips, or false when the machine is there. */
export function machineSkipReason(environment: TestEnvironment | undefined): string | false {
  return environment
    ? false
    : "the prepared machine is missing (run scripts/prepare-machine.sh as root)";
}

/**
 * Writes a Docker config folder, in a new folder under `parent`, whose `auths` log in to the
 * push registry as the prepared machine's user with this password; returns the folder, for
 * DOCKER_CONFIG.
 */
export function writeDockerConfig(
  parent: string,
  environment: TestEnvironment,
  password = environment.password,
): string {
  const dir = mkdtempSync(join(parent, "docker-config-"));
  const auth = Buffer.from(`${environment.username}:${password}`).toString("base64");
  const config = { auths: { [environment.pushRegistry]: { auth } } };
  writeFileSync(join(dir, "config.json"), JSON.stringify(config));
  return dir;
}

/** True when running in CI, where missing components fail tests instead of skipping them. */
export function isCI(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CI === "true" || env.CI === "1";
}

/**
 * Reads the prepared machine's description. Returns undefined when the file is missing (the
 * machine was not prepared), except under CI, where that throws; a malformed file always throws.
 */
export function testEnvironment(env: NodeJS.ProcessEnv = process.env): TestEnvironment | undefined {
  const path = env.SOLERA_TEST_ENV || defaultTestEnvPath;

  if (!existsSync(path)) {
    if (!isCI(env)) return undefined;
    throw new TestEnvironmentError(
      `${path} is missing, and CI=true requires a prepared machine: run \`bash scripts/prepare-machine.sh\` as root first`,
    );
  }

  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, "utf8"));
  } catch (cause) {
    throw new TestEnvironmentError(`reading ${path}`, { cause });
  }
  const parsed = TestEnvironmentSchema.safeParse(data);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join(".") || "(root)");
    throw new TestEnvironmentError(
      `${path} does not describe a prepared machine (bad fields: ${fields.join(", ")}); run \`bash scripts/prepare-machine.sh\` again`,
    );
  }
  return parsed.data;
}

/** How to run BuildKit builds through the local Docker engine. */
export interface DockerClient {
  /** The docker binary. */
  path: string;
  /** True when `docker buildx` is present (multi-platform, bake, attestations). */
  buildx: boolean;
  /** The words after the binary that start a BuildKit build: `buildx build` or `build`. */
  buildCommand: string[];
  /** The environment for the client: DOCKER_BUILDKIT=1 makes the 20.10 client use BuildKit. */
  env: NodeJS.ProcessEnv;
  /** The engine's version, as the daemon reports it. */
  serverVersion: string;
}

/**
 * Finds a Docker client that reaches a running engine and can build with BuildKit: prefers
 * `docker buildx`, else a client with BuildKit built in (the prepared machine's, then `docker`
 * on PATH) run with DOCKER_BUILDKIT=1. Returns the reason as a string when there is none.
 */
export function findDocker(environment = testEnvironment()): DockerClient | string {
  const candidates = [...new Set([environment?.docker, "/usr/bin/docker", "docker"])];
  const reasons: string[] = [];

  for (const path of candidates) {
    if (path === undefined) continue;
    const env = { ...process.env, DOCKER_BUILDKIT: "1" };
    const serverVersion = run(path, ["version", "--format", "{{.Server.Version}}"], env);
    if (typeof serverVersion !== "string" || serverVersion === "") {
      reasons.push(`${path}: ${serverVersion === "" ? "no engine version" : serverVersion.error}`);
      continue;
    }
    const buildx = typeof run(path, ["buildx", "version"], env) === "string";
    const buildCommand = buildx ? ["buildx", "build"] : ["build"];
    return { path, buildx, buildCommand, env, serverVersion };
  }
  return `no Docker engine answers (${reasons.join("; ")}); run \`bash scripts/prepare-machine.sh\` as root`;
}

/**
 * For a test that needs the prepared machine: returns it, or skips the test with the reason
 * and returns undefined. Under CI a missing machine throws, failing the test.
 */
export function requireTestEnvironment(t: TestContext): TestEnvironment | undefined {
  const environment = testEnvironment();
  if (environment === undefined) {
    t.skip(
      `no prepared machine (${defaultTestEnvPath}); run \`bash scripts/prepare-machine.sh\` as root`,
    );
  }
  return environment;
}

/**
 * For a test that needs a Docker engine with BuildKit: returns the client, or skips the test
 * with the reason and returns undefined. Under CI a missing engine throws, failing the test.
 */
export function requireDocker(t: TestContext): DockerClient | undefined {
  const docker = findDocker();
  if (typeof docker !== "string") return docker;
  if (isCI()) throw new TestEnvironmentError(`CI=true requires a Docker engine: ${docker}`);
  t.skip(docker);
  return undefined;
}

/** Runs a command briefly; its trimmed stdout, or why it failed. */
function run(file: string, args: string[], env: NodeJS.ProcessEnv): string | { error: string } {
  try {
    return execFileSync(file, args, {
      env,
      encoding: "utf8",
      timeout: 20_000,
      stdio: "pipe",
    }).trim();
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    return { error: stderr || (error as Error).message };
  }
}
