import { readdir } from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";
import type { Dockerfile } from "../dockerfile/types.ts";

// Every file in an image folder besides its description and its Dockerfile is part of the
// delta, so it has to reach the image through a COPY or ADD. A file that nothing copies is
// either forgotten or dead weight in the build context; both deserve a load error.

/** Files of an image folder that are not delta files. */
const NOT_DELTA = new Set(["image.yaml", "Dockerfile", ".dockerignore", "README.md"]);

/** The delta files of an image folder, relative to it with `/` separators, sorted. */
export async function listDeltaFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join("/"))
    .filter((file) => !NOT_DELTA.has(file))
    .sort();
}

/**
 * The delta files that no COPY or ADD instruction takes from the build context. `context` is
 * the build context relative to the image folder (the folder itself when absent).
 */
export function uncopiedFiles(
  dockerfile: Dockerfile,
  files: string[],
  dir: string,
  context?: string,
): string[] {
  const contextDir = resolve(dir, context ?? ".");
  const sources = contextSources(dockerfile);
  return files.filter((file) => {
    const inContext = relative(contextDir, resolve(dir, file)).split(sep).join("/");
    return !sources.some((source) => covers(source, inContext));
  });
}

/** Source paths of COPY and ADD instructions that read the build context (not `--from`). */
function contextSources(dockerfile: Dockerfile): string[] {
  const sources: string[] = [];
  for (const stage of dockerfile.stages) {
    for (const instruction of stage.instructions) {
      if (instruction.keyword !== "COPY" && instruction.keyword !== "ADD") continue;
      if (instruction.flags.from !== undefined) continue;
      const paths = instruction.argv.slice(0, -1).filter((word) => !word.startsWith("<<"));
      sources.push(...paths.filter((path) => !/^[a-z]+:\/\//.test(path)));
    }
  }
  return sources.map(normaliseSource);
}

function normaliseSource(source: string): string {
  const trimmed = source.replace(/^(\.\/|\/)+/, "").replace(/\/+$/, "");
  return trimmed === "." ? "" : trimmed;
}

/** True when copying `source` brings `file`: the same path, a folder above it, or a glob. */
function covers(source: string, file: string): boolean {
  if (source === "") return true;
  const pattern = globToRegExp(source);
  const segments = file.split("/");
  for (let length = 1; length <= segments.length; length++) {
    if (pattern.test(segments.slice(0, length).join("/"))) return true;
  }
  return false;
}

/** Go's filepath.Match syntax, which BuildKit uses for COPY sources: `*` and `?` stay in a segment. */
function globToRegExp(glob: string): RegExp {
  let pattern = "";
  for (const char of glob) {
    if (char === "*") pattern += "[^/]*";
    else if (char === "?") pattern += "[^/]";
    else pattern += char.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return new RegExp(`^${pattern}$`);
}
