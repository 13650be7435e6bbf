import { runProcess } from "../process.ts";
import { checkEmulation } from "../qemu.ts";
import { formatSecret } from "../secrets.ts";
import type { PlanTarget } from "../types.ts";
import {
  BuildFailedError,
  type Engine,
  type EngineRunOptions,
  NotBuiltError,
  type PushedContent,
  platformSuffix,
  StaleImageError,
} from "./engine.ts";

const REVISION = "org.opencontainers.image.revision";

import { pushFailure } from "./push-errors.ts";

/**
 * `docker build` with BuildKit (DOCKER_BUILDKIT=1, Docker 20.10 or later): one build per target
 * and platform, loaded into the local image store. A single-platform image is tagged with its
 * version tag; with several platforms each one is tagged `<version>-<arch>` (`0.1.0-arm64`,
 * `0.1.0-arm-v7`), pushed under that tag, and the version tag then names an image index that
 * solera assembles through the registry, because `docker build` cannot make an index itself.
 */
export class DockerBuildEngine implements Engine {
  readonly kind = "docker";
  readonly description: string;
  readonly docker: string;
  readonly mirrors: string[];
  private readonly env: NodeJS.ProcessEnv;
  private readonly binfmtDir?: string;

  constructor(options: {
    docker: string;
    version?: string;
    env?: NodeJS.ProcessEnv;
    binfmtDir?: string;
    mirrors?: string[];
  }) {
    this.docker = options.docker;
    this.mirrors = options.mirrors ?? [];
    this.env = { ...(options.env ?? process.env), DOCKER_BUILDKIT: "1" };
    this.binfmtDir = options.binfmtDir;
    this.description = `docker build (BuildKit) via ${options.docker}${options.version ? ` ${options.version}` : ""}`;
  }

  /** The local tag holding one platform's image. */
  static localTag(target: PlanTarget, platform: string): string {
    const tag = target.tags[0] as string;
    return target.platforms.length === 1 ? tag : `${tag}-${platformSuffix(platform)}`;
  }

  /**
   * The `docker build` arguments for one platform of a target. `--pull` makes BuildKit resolve
   * each FROM in the registry: without it, an image the engine already holds under the same tag
   * is used as it is, however old, and the upstream digest solera resolved and records in the
   * labels and the lock would not be the base the build used.
   */
  static buildArgs(target: PlanTarget, platform: string): string[] {
    const args = ["build", "--pull", "--platform", platform, "--file", target.dockerfile];
    args.push("--tag", DockerBuildEngine.localTag(target, platform));
    for (const [key, value] of Object.entries(target.labels))
      args.push("--label", `${key}=${value}`);
    for (const [key, value] of Object.entries(target.args))
      args.push("--build-arg", `${key}=${value}`);
    for (const secret of target.secrets) args.push("--secret", formatSecret(secret));
    args.push(target.context);
    return args;
  }

  async build(target: PlanTarget, options: EngineRunOptions = {}): Promise<void> {
    // Check every platform first, so a missing emulator fails before any build time is spent.
    for (const platform of target.platforms) {
      checkEmulation(target.name, platform, { binfmtDir: this.binfmtDir });
    }
    for (const platform of target.platforms) {
      const args = DockerBuildEngine.buildArgs(target, platform);
      const result = await runProcess(this.docker, args, { env: this.env, log: options.log });
      if (result.code !== 0) {
        throw new BuildFailedError(
          `building ${target.name} for ${platform}`,
          result.code,
          result.tail,
        );
      }
    }
  }

  /**
   * The image ID of each platform's local image. Refuses an image that is missing
   * (NotBuiltError) or was built from another commit than the plan's (StaleImageError): the
   * revision label is compared, not a hash of every build input, so edits left uncommitted
   * between build and push go unnoticed when both runs see the same dirty commit.
   */
  async localConfigDigests(target: PlanTarget): Promise<Map<string, string>> {
    const digests = new Map<string, string>();
    const registry = target.repository.slice(0, -(target.name.length + 1));
    const wanted = target.labels[REVISION] ?? "";
    for (const platform of target.platforms) {
      const tag = DockerBuildEngine.localTag(target, platform);
      const format = `{{.Id}} {{index .Config.Labels "${REVISION}"}}`;
      const args = ["image", "inspect", "--format", format, tag];
      const result = await runProcess(this.docker, args, { env: this.env });
      if (result.code !== 0 && /no such (image|object)/i.test(result.tail.join("\n")))
        throw new NotBuiltError(target.name, tag, registry);
      if (result.code !== 0)
        throw new BuildFailedError(`inspecting the local image ${tag}`, result.code, result.tail);
      const [id = "", revision = ""] = result.stdout.trim().split(" ");
      if (revision !== wanted)
        throw new StaleImageError(target.name, tag, revision || "(none)", wanted, registry);
      digests.set(platform, id);
    }
    return digests;
  }

  async push(target: PlanTarget, options: EngineRunOptions = {}): Promise<PushedContent> {
    const refs: { platform: string; reference: string }[] = [];
    for (const platform of target.platforms) {
      const reference = DockerBuildEngine.localTag(target, platform);
      const result = await runProcess(this.docker, ["push", reference], {
        env: this.env,
        log: options.log,
      });
      if (result.code !== 0) {
        throw pushFailure(`pushing ${reference}`, target.repository, result.code, result.tail);
      }
      refs.push({ platform, reference });
    }
    return { kind: "platform-tags", refs };
  }
}
