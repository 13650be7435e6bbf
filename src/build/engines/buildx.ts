import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toBakeFile } from "../bake.ts";
import { runProcess } from "../process.ts";
import type { PlanTarget } from "../types.ts";
import {
  BuildFailedError,
  type Engine,
  type EngineRunOptions,
  type PushedContent,
} from "./engine.ts";
import { pushFailure } from "./push-errors.ts";

/**
 * `docker buildx bake` with the plan's bake file: all platforms of a target in one build, an
 * index made by BuildKit itself, SBOM and provenance attestations on request. A push goes out
 * by digest only (`push-by-digest=true`), so the version tag is set afterwards through the
 * registry, and only when it does not already name another image. Multi-platform needs a
 * builder whose driver can do it (docker-container, remote, kubernetes); buildx's `docker`
 * driver cannot, and `solera build --engine docker` is then the way.
 */
export class BuildxEngine implements Engine {
  readonly kind = "buildx";
  readonly description: string;
  readonly docker: string;
  readonly mirrors: string[];
  private readonly env: NodeJS.ProcessEnv;

  constructor(options: {
    docker: string;
    version?: string;
    env?: NodeJS.ProcessEnv;
    mirrors?: string[];
  }) {
    this.docker = options.docker;
    this.mirrors = options.mirrors ?? [];
    this.env = options.env ?? process.env;
    this.description = `docker buildx bake via ${options.docker}${options.version ? ` (${options.version})` : ""}`;
  }

  /** The `docker buildx bake` arguments for one target; `metadataFile` set means push by digest. */
  static bakeArgs(
    bakeFile: string,
    target: PlanTarget,
    options: EngineRunOptions & { metadataFile?: string } = {},
  ): string[] {
    // --pull: resolve every FROM in the registry, so the base is the digest solera recorded.
    const args = ["buildx", "bake", "--file", bakeFile, "--progress", "plain", "--pull"];
    if (options.metadataFile) {
      args.push("--metadata-file", options.metadataFile);
      args.push(
        "--set",
        `${target.name}.output=type=image,name=${target.repository},push-by-digest=true,name-canonical=true,push=true`,
      );
    }
    if (options.sbom) args.push("--sbom=true");
    if (options.provenance) args.push("--provenance=mode=max");
    args.push(target.name);
    return args;
  }

  async build(target: PlanTarget, options: EngineRunOptions = {}): Promise<void> {
    await this.bake(target, options);
  }

  async localConfigDigests(): Promise<undefined> {
    // A multi-platform bake keeps its result in BuildKit's cache, not in the image store.
    return undefined;
  }

  async push(target: PlanTarget, options: EngineRunOptions = {}): Promise<PushedContent> {
    const digest = await this.bake(target, { ...options, pushByDigest: true });
    return { kind: "digest", digest: digest as string };
  }

  private async bake(
    target: PlanTarget,
    options: EngineRunOptions & { pushByDigest?: boolean },
  ): Promise<string | undefined> {
    const dir = await mkdtemp(join(tmpdir(), "solera-bake-"));
    try {
      const bakeFile = join(dir, "docker-bake.json");
      const plan = { registry: "", revision: "", created: "", targets: [target], skipped: [] };
      // Absolute contexts: bake runs from this process's working directory, not from dir.
      await writeFile(bakeFile, JSON.stringify(toBakeFile(plan)));
      const metadataFile = options.pushByDigest ? join(dir, "metadata.json") : undefined;
      const args = BuildxEngine.bakeArgs(bakeFile, target, { ...options, metadataFile });
      const result = await runProcess(this.docker, args, { env: this.env, log: options.log });
      if (result.code !== 0 && metadataFile) {
        throw pushFailure(
          `building and pushing ${target.name}`,
          target.repository,
          result.code,
          result.tail,
        );
      }
      if (result.code !== 0)
        throw new BuildFailedError(`building ${target.name}`, result.code, result.tail);
      return metadataFile ? readPushedDigest(metadataFile, target.name) : undefined;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

/** Reads `containerimage.digest` for one target from a buildx or buildctl metadata file. */
export async function readPushedDigest(file: string, name?: string): Promise<string> {
  const metadata = JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>;
  const entry = (name ? metadata[name] : metadata) as Record<string, unknown> | undefined;
  const digest = entry?.["containerimage.digest"];
  if (typeof digest !== "string" || !digest.startsWith("sha256:")) {
    throw new Error(
      `the engine's metadata file ${file} names no pushed digest${name ? ` for ${name}` : ""}`,
    );
  }
  return digest;
}
