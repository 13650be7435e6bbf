import type { Platform } from "../catalog/schema.ts";

/** One image to build: what the engine needs, written the way a bake file names it. */
export interface PlanTarget {
  /** The image's name; also the bake target's name. */
  name: string;
  /** The version tag from image.yaml. */
  version: string;
  /** `<registry>/<name>`: the repository the image is pushed to. */
  repository: string;
  /** `<registry>/<name>:<version>`; never `latest`. */
  tags: string[];
  /** Platforms to build, in the image's order, after any `--platform` filter. */
  platforms: Platform[];
  /** Build context directory. */
  context: string;
  /** Path of the Dockerfile (not relative to the context). */
  dockerfile: string;
  labels: Record<string, string>;
  args: Record<string, string>;
  /** The images the Dockerfile's FROM lines name (stages and `scratch` left out), normalised. */
  upstreams: string[];
  /** Digests of the upstreams, by normalised reference, when they were resolved. */
  upstreamDigests: Record<string, string>;
  /** Build secrets offered to every `RUN --mount=type=secret` step; where from, never the value. */
  secrets: BuildSecret[];
}

/**
 * A BuildKit build secret: mounted into `RUN --mount=type=secret,id=<id>` steps for the length
 * of the step and never written to a layer. It names where the value comes from (a file, or an
 * environment variable of the process that runs the engine's client); solera never reads the
 * value, so it cannot reach a plan, a label or a log.
 */
export type BuildSecret = { id: string; src: string } | { id: string; env: string };

/** An image the plan leaves out, and why. */
export interface SkippedImage {
  name: string;
  reason: string;
}

/** What to build: one target per image. */
export interface Plan {
  /** `<host>/<namespace>` the targets are tagged for. */
  registry: string;
  revision: string;
  created: string;
  targets: PlanTarget[];
  skipped: SkippedImage[];
  /** Images the gates refuse, left out of the targets (set by `planCatalog`, which runs them). */
  refused?: SkippedImage[];
}

/** One pushed image as `catalog/solera.lock.json` records it. */
export interface LockEntry {
  /** The full tag pushed: `<registry>/<name>:<version>`. */
  tag: string;
  registry: string;
  /** Digest of the manifest or image index the tag points at, as read back from the registry. */
  digest: string;
  mediaType: string;
  /** Digest of each platform's image manifest, by platform. */
  platforms: Record<string, string>;
  /** The upstream digests the build used, by normalised reference. */
  upstreams: Record<string, string>;
  /** When the push was recorded (RFC 3339). */
  pushedAt: string;
}

/** The whole lock file. */
export interface LockFile {
  lockVersion: 1;
  images: Record<string, LockEntry>;
}
