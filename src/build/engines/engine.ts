import { ExitCode, UserError } from "../../errors.ts";
import type { LogSink } from "../process.ts";
import type { PlanTarget } from "../types.ts";

/** The engines solera can drive; all of them are BuildKit underneath. */
export type EngineKind = "buildx" | "docker" | "buildctl";

/** Options every engine takes. */
export interface EngineRunOptions {
  /** Where the engine's own output (build logs) goes; stderr for the CLI. */
  log?: LogSink;
  /** Ask for SBOM and provenance attestations (buildx and buildctl only). */
  sbom?: boolean;
  provenance?: boolean;
}

/**
 * What a push left in the registry before the image's tag is set:
 * - `platform-tags`: each platform's manifest under its own tag (the docker engine pushes
 *   `<version>-<arch>`, or the version tag itself for a single platform);
 * - `digest`: a manifest or index pushed by digest only, not yet tagged (buildx, buildctl).
 */
export type PushedContent =
  | { kind: "platform-tags"; refs: { platform: string; reference: string }[] }
  | { kind: "digest"; digest: string };

/** A BuildKit front: builds a plan target, and pushes what it built. */
export interface Engine {
  readonly kind: EngineKind;
  /** One line for the summary and logs, e.g. `docker build (BuildKit) via /usr/bin/docker 20.10.24`. */
  readonly description: string;
  /**
   * The Docker Hub mirrors the engine pulls through (dockerd's `registry-mirrors`), as hosts;
   * empty when it has none or cannot say (buildctl: they live in buildkitd.toml).
   */
  readonly mirrors: string[];
  /** Builds the target for all its platforms; rejects with BuildFailedError. */
  build(target: PlanTarget, options?: EngineRunOptions): Promise<void>;
  /**
   * The config digest (image ID) of each platform's local image, when the engine keeps images
   * locally; used to tell before pushing whether the registry already holds the same image.
   */
  localConfigDigests(target: PlanTarget): Promise<Map<string, string> | undefined>;
  /** Pushes the built target without moving its version tag where the engine allows it. */
  push(target: PlanTarget, options?: EngineRunOptions): Promise<PushedContent>;
}

/** A build or push the engine ran and that failed; the message carries the log's last lines. */
export class BuildFailedError extends UserError {
  readonly tail: string[];

  constructor(what: string, code: number, tail: string[]) {
    const log = tail.map((line) => `  | ${line}`).join("\n");
    super(
      tail.length > 0
        ? `${what} failed (exit code ${code}); last lines of the engine's log:\n${log}`
        : `${what} failed (exit code ${code}); the engine printed nothing`,
      {
        exitCode: ExitCode.failed,
        hint: "read the engine's log above; fix the Dockerfile or the delta files, then build again",
      },
    );
    this.name = "BuildFailedError";
    this.tail = tail;
  }
}

/** No usable build engine on this machine. */
export class NoEngineError extends UserError {
  constructor(message: string, hint: string) {
    super(message, { exitCode: ExitCode.environment, hint });
    this.name = "NoEngineError";
  }
}

/** The tag suffix for one platform's image: `linux/arm64` → `arm64`, `linux/arm/v7` → `arm-v7`. */
export function platformSuffix(platform: string): string {
  return platform.replace(/^linux\//, "").replaceAll("/", "-");
}

/** `push` found no local image for a target of an engine that keeps images locally. */
export class NotBuiltError extends UserError {
  constructor(name: string, tag: string, registry: string) {
    super(`${tag} is not built here; run \`solera build ${name} --registry ${registry}\` first`, {
      exitCode: ExitCode.failed,
      hint: `solera build ${name} --registry ${registry} --push builds and pushes in one run`,
    });
    this.name = "NotBuiltError";
  }
}

/** The local image was built from another commit than the one checked out now. */
export class StaleImageError extends UserError {
  constructor(name: string, tag: string, built: string, current: string, registry: string) {
    super(
      `${tag} was built from revision ${built}, not the current ${current}; it is stale, so it is not pushed`,
      {
        exitCode: ExitCode.failed,
        hint: `run \`solera build ${name} --registry ${registry}\` again, then push`,
      },
    );
    this.name = "StaleImageError";
  }
}
