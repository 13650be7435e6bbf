import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { isMap, isScalar, isSeq, LineCounter, type Node, parseAllDocuments } from "yaml";
import { parseReference } from "../reference/parse.ts";
import type { ImageReference } from "../reference/types.ts";

// Kubernetes pulls whatever a tag points to when the pod starts, so a manifest that names no
// tag, or `latest`, runs different code on different nodes after a push. The catalog pins one
// version per image; its manifests must name exactly that version.

/** What the lint needs of the catalog: where images are pushed and each image's pinned tag. */
export interface ManifestCatalog {
  /** `<host>/<namespace>` the catalog's images are pushed to. */
  registry: string;
  images: { name: string; version: string }[];
}

/** The kinds of problem the lint reports. */
export type ManifestRule =
  | "yaml"
  | "no-image"
  | "invalid-image"
  | "untagged"
  | "latest-tag"
  | "catalog-version"
  | "unknown-catalog-image";

/** One problem in one manifest, at the line and column of the offending value. */
export interface ManifestFinding {
  rule: ManifestRule;
  /** The manifest file, as `dir` joined with its path below it. */
  file: string;
  /** 1-based line and column. */
  line: number;
  column: number;
  /** Where in the document: `spec.template.spec.containers[0].image`. */
  path: string;
  /** The image as written, when the finding is about one. */
  image?: string;
  /** What is wrong, in one sentence. */
  message: string;
}

/** Pod spec fields that hold lists of containers, each with an `image`. */
const CONTAINER_LISTS = new Set(["containers", "initContainers", "ephemeralContainers"]);

/** A container's image found in a document, with where it sits. */
interface ImageSite {
  node: Node | undefined;
  /** The node of the container itself, for a container without an image. */
  container: Node;
  path: string;
}

/**
 * Reads every YAML file under `dir` (all documents of each) and reports container and init
 * container images that name no tag, use `latest`, or pin a catalog image to a tag other than
 * the catalog's version. Findings come sorted by file and line.
 */
export async function lintManifests(
  dir: string,
  catalog: ManifestCatalog,
): Promise<ManifestFinding[]> {
  const findings: ManifestFinding[] = [];
  for (const file of await listYamlFiles(dir)) {
    const text = await readFile(file, "utf8");
    findings.push(...lintManifestText(text, file, catalog));
  }
  return findings;
}

/** Lints the documents of one manifest file's text; `file` only labels the findings. */
export function lintManifestText(
  text: string,
  file: string,
  catalog: ManifestCatalog,
): ManifestFinding[] {
  const lines = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter: lines });
  const findings: ManifestFinding[] = [];
  const at = (node: Node | undefined, offset = node?.range?.[0] ?? 0) => {
    const position = lines.linePos(offset);
    return { file, line: position.line, column: position.col };
  };

  for (const document of Array.isArray(documents) ? documents : [documents]) {
    for (const error of document.errors) {
      findings.push({
        rule: "yaml",
        ...at(undefined, error.pos[0]),
        path: "",
        message: error.message,
      });
    }
    if (document.errors.length > 0) continue;

    for (const site of findImages(document.contents, "")) {
      const value = isScalar(site.node) ? site.node.value : undefined;
      if (typeof value !== "string" || value.trim() === "") {
        const message = "the container names no image";
        findings.push({
          rule: "no-image",
          ...at(site.node ?? site.container),
          path: site.path,
          message,
        });
        continue;
      }
      for (const problem of checkImage(value, catalog)) {
        findings.push({ ...problem, ...at(site.node), path: site.path, image: value });
      }
    }
  }
  return findings;
}

/** Formats a finding the way compilers do: `file:line:column: message [rule]`. */
export function formatManifestFinding(finding: ManifestFinding): string {
  return `${finding.file}:${finding.line}:${finding.column}: ${finding.message} [${finding.rule}]`;
}

/** The problems of one image reference as a manifest writes it. */
export function checkImage(
  image: string,
  catalog: ManifestCatalog,
): { rule: ManifestRule; message: string }[] {
  let ref: ImageReference;
  try {
    ref = parseReference(image);
  } catch (error) {
    return [{ rule: "invalid-image", message: (error as Error).message }];
  }

  const problems: { rule: ManifestRule; message: string }[] = [];
  if (ref.tag === undefined && ref.digest === undefined) {
    problems.push({
      rule: "untagged",
      message: `image "${image}" names no tag, so it pulls whatever latest points to; pin a version`,
    });
  }
  if (ref.tag !== undefined && isLatestTag(ref.tag)) {
    problems.push({
      rule: "latest-tag",
      message: `image "${image}" uses the moving tag "${ref.tag}"; pin a version`,
    });
  }
  const catalogProblem = checkCatalogImage(image, ref, catalog);
  if (catalogProblem !== undefined) problems.push(catalogProblem);
  return problems;
}

/** True for `latest` and tags with `latest` as a component: `latest-alpine`, `1.2-latest`. */
export function isLatestTag(tag: string): boolean {
  return tag
    .toLowerCase()
    .split(/[._-]/)
    .some((component) => component === "latest");
}

/** For an image under the catalog's registry: it must be a catalog image at its version. */
function checkCatalogImage(
  image: string,
  ref: ImageReference,
  catalog: ManifestCatalog,
): { rule: ManifestRule; message: string } | undefined {
  const prefix = `${catalog.registry.replace(/\/+$/, "")}/`;
  const full = `${ref.registry}/${ref.repository}`;
  if (!full.startsWith(prefix)) return undefined;

  const name = full.slice(prefix.length);
  const entry = catalog.images.find((candidate) => candidate.name === name);
  if (entry === undefined) {
    return {
      rule: "unknown-catalog-image",
      message: `image "${image}" is under the catalog's registry ${catalog.registry}, but the catalog has no image "${name}"`,
    };
  }
  if (ref.tag === entry.version) return undefined;
  return {
    rule: "catalog-version",
    message: `image "${image}" must be pinned to the catalog's version of ${name}: ${prefix}${name}:${entry.version}`,
  };
}

/** Every container's image under `node`, at any depth (Pods, workloads, CronJobs, Lists). */
function findImages(node: unknown, path: string): ImageSite[] {
  if (isSeq(node)) {
    return node.items.flatMap((item, index) => findImages(item, `${path}[${index}]`));
  }
  if (!isMap(node)) return [];

  const sites: ImageSite[] = [];
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : "";
    const childPath = path === "" ? key : `${path}.${key}`;
    if (CONTAINER_LISTS.has(key) && isSeq(pair.value)) {
      pair.value.items.forEach((container, index) => {
        if (!isMap(container)) return;
        const image = container.get("image", true) as Node | undefined;
        sites.push({ node: image, container, path: `${childPath}[${index}].image` });
      });
      continue;
    }
    sites.push(...findImages(pair.value, childPath));
  }
  return sites;
}

/** The `.yaml` and `.yml` files under `dir`, at any depth, sorted. */
async function listYamlFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}
