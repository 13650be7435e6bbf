import { z } from "zod";

// The shapes of catalog.yaml and image.yaml. Objects are strict: an unknown key is a load error,
// so a misspelt field never passes silently. JSON Schemas for editors are generated from these
// (`npm run schema` writes schema/*.json).

const Slug = z
  .string()
  .regex(
    /^[a-z0-9]+(?:-[a-z0-9]+)*$/,
    "expected lower-case words joined by dashes (e.g. wordpress-fpm)",
  );

/** A capability an image offers: lower-case words joined by dashes or dots (`pingora-0.8`). */
const Capability = z
  .string()
  .regex(
    /^[a-z0-9]+(?:[.-][a-z0-9]+)*$/,
    "expected lower-case words joined by dashes or dots (e.g. pingora-0.8)",
  );

/** A platform as BuildKit names it: `linux/amd64`, `linux/arm64`, `linux/arm/v7`. */
export const Platform = z
  .string()
  .regex(
    /^linux\/(amd64|arm64|arm\/v[67]|386|ppc64le|s390x|riscv64)$/,
    "expected a platform such as linux/amd64 or linux/arm64",
  );
export type Platform = z.infer<typeof Platform>;

/** One of the catalog's axioms (A1–A3). */
export const Axiom = z.strictObject({
  id: z.string().regex(/^A[0-9]+$/, "expected an axiom id such as A1"),
  key: Slug,
  title: z.string().min(1),
  statement: z.string().min(1),
});
export type Axiom = z.infer<typeof Axiom>;

/** A tension: two poles to navigate and the synthesis the catalog settled on. */
export const Tension = z.strictObject({
  id: z.string().regex(/^T[0-9]+$/, "expected a tension id such as T1"),
  key: Slug,
  title: z.string().min(1),
  poles: z.tuple([z.string().min(1), z.string().min(1)]),
  synthesis: z.string().min(1),
});
export type Tension = z.infer<typeof Tension>;

/** The two kinds of image the catalog admits. */
export const ImageClass = z.enum(["upstream-extension", "from-source"]);
export type ImageClass = z.infer<typeof ImageClass>;

export const ClassSpec = z.strictObject({
  key: ImageClass,
  title: z.string().min(1),
  description: z.string().min(1),
});
export type ClassSpec = z.infer<typeof ClassSpec>;

/** Something the whole catalog refuses to put in an image. */
export const Refusal = z.strictObject({
  key: Slug,
  statement: z.string().min(1),
  reason: z.string().min(1),
});
export type Refusal = z.infer<typeof Refusal>;

/** A sibling project of the same family. */
export const Sibling = z.strictObject({
  name: Slug,
  role: z.string().min(1),
  relation: z.string().min(1),
});
export type Sibling = z.infer<typeof Sibling>;

// A Docker Hub namespace has no dot or colon and is not `localhost`, or Docker would read it as
// a registry host; after a registry host, at least one lower-case path component must follow.
const NAMESPACE = "[a-z0-9]+(?:(?:_|__|-+)[a-z0-9]+)*";
const PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const HOST = "(?:[A-Za-z0-9.-]+|\\[[0-9A-Fa-f:]+\\])(?::[0-9]+)?";

/** An `officialPublishers` entry: `bitnami` or `ghcr.io/example`, never a bare registry. */
export const Publisher = z
  .string()
  .regex(
    new RegExp(`^(?:(?!localhost$)${NAMESPACE}|${HOST}(?:/${PATH_COMPONENT})+)$`),
    "expected a Docker Hub namespace such as bitnami, or <registry>/<namespace> such as ghcr.io/example (a bare registry host would admit every image on it)",
  );

/** catalog.yaml */
export const CatalogSpec = z.strictObject({
  name: Slug,
  version: z
    .string()
    .regex(/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/, "expected a semantic version such as 0.1.0"),
  stage: z.enum(["alpha", "beta", "stable"]),
  tagline: z.string().min(1),
  summary: z.string().min(1),
  /** Where images are pushed: `<host>/<namespace>`. */
  registry: z
    .string()
    .regex(
      /^[a-z0-9.-]+(?::[0-9]+)?(?:\/[a-z0-9._-]+)+$/,
      "expected <host>/<namespace>, e.g. registry.example.com/solera",
    ),
  /**
   * Publishers besides Docker Official Images whose images count as official upstreams: a Docker
   * Hub namespace (`bitnami`) or `<registry>/<namespace>` (`ghcr.io/example`). Never a bare
   * registry host: `docker.io` alone would make every Docker Hub image official.
   */
  officialPublishers: z.array(Publisher).default([]),
  axioms: z.array(Axiom).min(1),
  tensions: z.array(Tension),
  classes: z.array(ClassSpec).min(1),
  refusals: z.array(Refusal),
  siblings: z.array(Sibling),
});
export type CatalogSpec = z.infer<typeof CatalogSpec>;

/** The three columns of the delta model. */
export const DeltaSpec = z.strictObject({
  /** What the upstream already provides; installing any of it again is a redundant delta (A3). Each entry starts with the component's name. */
  provides: z.array(z.string().min(1)),
  /** What solera adds; empty is a zero delta (A3). */
  adds: z.array(z.string().min(1)),
  /** What this image holds out on purpose. */
  refuses: z.array(z.string().min(1)),
});
export type DeltaSpec = z.infer<typeof DeltaSpec>;

export const EnvVar = z.strictObject({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "expected an environment variable name"),
  value: z.string().optional(),
  /** Taken from a Secret key instead of a literal: `<secret>/<key>`. */
  secret: z
    .string()
    .regex(/^[a-z0-9.-]+\/[A-Za-z0-9._-]+$/, "expected <secret-name>/<key>")
    .optional(),
  description: z.string().optional(),
});
export type EnvVar = z.infer<typeof EnvVar>;

export const PortSpec = z.strictObject({
  name: z
    .string()
    .regex(
      /^[a-z0-9-]{1,15}$/,
      "expected a port name of at most 15 lower-case letters, digits or dashes",
    ),
  port: z.number().int().min(1).max(65535),
  protocol: z.enum(["TCP", "UDP"]).default("TCP"),
});
export type PortSpec = z.infer<typeof PortSpec>;

/** How Kubernetes runs the image. */
export const DeploySpec = z.strictObject({
  workload: z.enum(["Deployment", "DaemonSet", "StatefulSet"]),
  replicas: z.number().int().min(1).optional(),
  env: z.array(EnvVar).default([]),
  ports: z.array(PortSpec).default([]),
  /** What the pod needs from the node. */
  node: z
    .strictObject({
      hostNetwork: z.boolean().default(false),
      capabilities: z
        .array(z.string().regex(/^[A-Z_]+$/, "expected a capability name such as NET_ADMIN"))
        .default([]),
    })
    .default({ hostNetwork: false, capabilities: [] }),
  /** Kubernetes manifests for this image, relative to the repository's deploy/ folder. */
  manifests: z.string().optional(),
});
export type DeploySpec = z.infer<typeof DeploySpec>;

/** For from-source images: the upstream project built from source. */
export const SourceSpec = z.strictObject({
  repository: z.url({
    protocol: /^https$/,
    error: "expected an https URL of the source repository",
  }),
  tag: z.string().min(1),
});
export type SourceSpec = z.infer<typeof SourceSpec>;

/** A check run inside the built image that proves the delta works. */
export const SmokeTest = z.strictObject({
  name: z.string().min(1),
  /** Command in exec form. */
  run: z.array(z.string()).min(1),
  /** Text the command's standard output must contain. */
  expect: z.string().optional(),
});
export type SmokeTest = z.infer<typeof SmokeTest>;

/** image.yaml */
export const ImageSpec = z.strictObject({
  name: Slug,
  class: ImageClass,
  /** The tag pushed for this image; never `latest`. */
  version: z
    .string()
    .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "expected a Docker tag (letters, digits, _ . -)")
    .refine(
      (tag) => !tag.split(/[.-]/).includes("latest"),
      "a version tag must be pinned, not latest",
    ),
  description: z.string().min(1),
  capabilities: z.array(Capability).min(1),
  platforms: z
    .array(Platform)
    .min(1)
    .refine((list) => new Set(list).size === list.length, "expected each platform once"),
  source: SourceSpec.optional(),
  /**
   * Build context relative to the image folder, for images whose delta is code kept elsewhere in
   * the repository (fip-controller builds from the repository root). Default: the image folder.
   */
  context: z.string().min(1).optional(),
  delta: DeltaSpec,
  deploy: DeploySpec,
  smoke: z.array(SmokeTest).default([]),
});
export type ImageSpec = z.infer<typeof ImageSpec>;
