import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { runProcess } from "../process.ts";
import { formatSecret } from "../secrets.ts";
import type { PlanTarget } from "../types.ts";
import { readPushedDigest } from "./buildx.ts";
import {
  BuildFailedError,
  type Engine,
  type EngineRunOptions,
  type PushedContent,
} from "./engine.ts";
import { pushFailure } from "./push-errors.ts";

/**
 * `buildctl --addr <addr> build` against a remote buildkitd, for building on more machines than
 * one: the Dockerfile frontend, all platforms at once, a push by digest (the version tag is set
 * afterwards through the registry). The builder needs its own registry credentials (buildctl
 * reads the Docker config of the machine it runs on). Only the command line is tested here: no
 * buildctl binary or buildkitd runs on the development machines.
 */
export class BuildctlEngine implements Engine {
  readonly kind = "buildctl";
  readonly description: string;
  readonly buildctl: string;
  readonly address: string;
  readonly mirrors: string[] = [];
  private readonly env: NodeJS.ProcessEnv;

  constructor(options: { buildctl: string; address: string; env?: NodeJS.ProcessEnv }) {
    this.buildctl = options.buildctl;
    this.address = options.address;
    this.env = options.env ?? process.env;
    this.description = `buildctl via ${options.buildctl} to ${options.address}`;
  }

  /** The `buildctl build` arguments for a target; `metadataFile` set means push by digest. */
  static buildArgs(
    address: string,
    target: PlanTarget,
    options: EngineRunOptions & { metadataFile?: string } = {},
  ): string[] {
    const args = ["--addr", address, "build", "--progress", "plain", "--frontend", "dockerfile.v0"];
    // Resolve every FROM in the registry, so the base is the digest solera recorded.
    args.push("--opt", "image-resolve-mode=pull");
    args.push("--local", `context=${target.context}`);
    args.push("--local", `dockerfile=${dirname(target.dockerfile)}`);
    args.push("--opt", `filename=${basename(target.dockerfile)}`);
    args.push("--opt", `platform=${target.platforms.join(",")}`);
    for (const [key, value] of Object.entries(target.labels))
      args.push("--opt", `label:${key}=${value}`);
    for (const [key, value] of Object.entries(target.args))
      args.push("--opt", `build-arg:${key}=${value}`);
    for (const secret of target.secrets) args.push("--secret", formatSecret(secret));
    if (options.sbom) args.push("--opt", "attest:sbom=");
    if (options.provenance) args.push("--opt", "attest:provenance=mode=max");
    if (options.metadataFile) {
      args.push("--output", `type=image,name=${target.repository},push-by-digest=true,push=true`);
      args.push("--metadata-file", options.metadataFile);
    }
    return args;
  }

  async build(target: PlanTarget, options: EngineRunOptions = {}): Promise<void> {
    const args = BuildctlEngine.buildArgs(this.address, target, options);
    const result = await runProcess(this.buildctl, args, { env: this.env, log: options.log });
    if (result.code !== 0)
      throw new BuildFailedError(`building ${target.name}`, result.code, result.tail);
  }

  async localConfigDigests(): Promise<undefined> {
    return undefined;
  }

  async push(target: PlanTarget, options: EngineRunOptions = {}): Promise<PushedContent> {
    const dir = await mkdtemp(join(tmpdir(), "solera-buildctl-"));
    try {
      const metadataFile = join(dir, "metadata.json");
      const args = BuildctlEngine.buildArgs(this.address, target, { ...options, metadataFile });
      const result = await runProcess(this.buildctl, args, { env: this.env, log: options.log });
      if (result.code !== 0) {
        throw pushFailure(
          `building and pushing ${target.name}`,
          target.repository,
          result.code,
          result.tail,
        );
      }
      return { kind: "digest", digest: await readPushedDigest(metadataFile) };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
