import { readdir, readFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import type { z } from "zod";
import { DockerfileSyntaxError } from "../dockerfile/errors.ts";
import { parseDockerfile } from "../dockerfile/parse.ts";
import type { Dockerfile } from "../dockerfile/types.ts";
import { UserError } from "../errors.ts";
import { checkContext } from "./context.ts";
import { listDeltaFiles, uncopiedFiles } from "./delta-files.ts";
import { CatalogLoadError, type LoadProblem } from "./errors.ts";
import { CatalogSpec, ImageSpec } from "./schema.ts";
import { validate } from "./schema-issues.ts";
import type { Catalog, CatalogImage, Locator } from "./types.ts";
import { readYaml } from "./yaml-file.ts";

export { CatalogLoadError, formatProblem, type LoadProblem } from "./errors.ts";

/**
 * Loads `catalog.yaml` and every `images/<name>/` folder under `dir`: validates both YAML files
 * against the schema, parses each Dockerfile and checks that every delta file is copied by it.
 * Throws CatalogLoadError listing every problem found, each with file:line:column.
 */
export async function loadCatalog(dir: string): Promise<Catalog> {
  const file = join(dir, "catalog.yaml");
  const problems: LoadProblem[] = [];

  const spec = await loadYamlFile(file, CatalogSpec, problems, MISSING_CATALOG);
  const images = await loadImages(dir, problems);
  problems.push(...duplicateNames(images));

  if (problems.length > 0 || spec === undefined) throw new CatalogLoadError(problems);
  const sorted = [...images].sort((a, b) => a.name.localeCompare(b.name));
  return { ...spec.value, dir, file, locate: spec.locate, images: sorted };
}

const MISSING_CATALOG =
  "file not found (expected the catalog's catalog.yaml; --catalog <dir> names the catalog folder)";
const MISSING_IMAGE =
  "file not found (expected every image folder to describe its image in image.yaml)";

interface Loaded<T> {
  value: T;
  locate: Locator;
}

async function loadYamlFile<T>(
  file: string,
  schema: z.ZodType<T>,
  problems: LoadProblem[],
  missing: string,
): Promise<Loaded<T> | undefined> {
  const text = await readText(file);
  if (text === undefined) {
    problems.push({ file, message: missing, kind: "missing" });
    return undefined;
  }

  const yaml = readYaml(text, file);
  problems.push(...yaml.problems);
  if (yaml.problems.length > 0) return undefined;

  const result = validate(schema, yaml.data, file, yaml.locate);
  problems.push(...result.problems);
  return result.value === undefined ? undefined : { value: result.value, locate: yaml.locate };
}

async function loadImages(dir: string, problems: LoadProblem[]): Promise<CatalogImage[]> {
  const imagesDir = join(dir, "images");
  const entries = await readdir(imagesDir, { withFileTypes: true }).catch(() => undefined);
  if (entries === undefined) {
    problems.push({
      file: imagesDir,
      message: "folder not found (expected one folder per image)",
      kind: "missing",
    });
    return [];
  }

  const folders = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  folders.sort();
  // The repository is the catalog folder's parent: the widest build context an image may name.
  const repository = resolve(dir, "..");
  const results = await Promise.all(
    folders.map((name) => loadImage(join(imagesDir, name), name, repository)),
  );
  for (const result of results) problems.push(...result.problems);
  return results.flatMap((result) => (result.image ? [result.image] : []));
}

async function loadImage(
  dir: string,
  folder: string,
  repository: string,
): Promise<{ image?: CatalogImage; problems: LoadProblem[] }> {
  const problems: LoadProblem[] = [];
  const file = join(dir, "image.yaml");
  const dockerfilePath = join(dir, "Dockerfile");

  const spec = await loadYamlFile(file, ImageSpec, problems, MISSING_IMAGE);
  const dockerfile = await loadDockerfile(dockerfilePath, file, spec?.locate, problems);
  const files = await listDeltaFiles(dir);
  if (spec === undefined || dockerfile === undefined) return { problems };

  const image: CatalogImage = {
    ...spec.value,
    dir,
    file,
    locate: spec.locate,
    dockerfilePath,
    dockerfile,
    files,
  };
  if (image.name !== folder) {
    problems.push({
      file,
      position: spec.locate(["name"]) ?? { line: 1, column: 1 },
      field: "name",
      message: `"${image.name}" does not match its folder (expected "${folder}", the folder's name)`,
    });
  }
  const contextProblems = await checkContext(image.context, dir, repository, file, spec.locate);
  problems.push(...contextProblems);
  if (contextProblems.length > 0) return { image, problems };
  for (const delta of uncopiedFiles(dockerfile, files, dir, image.context)) {
    problems.push({
      file: join(dir, delta),
      position: { line: 1, column: 1 },
      message: `delta file is not copied by any COPY or ADD in ${dockerfilePath} (expected a COPY of it, or remove the file)`,
      kind: "delta",
    });
  }
  return { image, problems };
}

async function loadDockerfile(
  path: string,
  imageFile: string,
  locate: Locator | undefined,
  problems: LoadProblem[],
): Promise<Dockerfile | undefined> {
  const text = await readText(path);
  if (text === undefined) {
    problems.push({
      file: imageFile,
      position: locate?.(["name"]) ?? { line: 1, column: 1 },
      message: `the image folder has no Dockerfile (expected ${path})`,
      kind: "missing",
    });
    return undefined;
  }

  try {
    return parseDockerfile(text, path);
  } catch (error) {
    if (!(error instanceof DockerfileSyntaxError)) throw error;
    const message = error.message.slice(`${path}:${error.line}: `.length);
    problems.push({
      file: path,
      position: { line: error.line, column: 1 },
      message,
      kind: "dockerfile",
    });
    return undefined;
  }
}

/**
 * One problem per image whose name another image already has. The image kept is the one whose
 * folder matches the name (a copied folder that sorts first must not make the original look
 * like the duplicate); when none matches, the first in folder order.
 */
function duplicateNames(images: CatalogImage[]): LoadProblem[] {
  const byName = new Map<string, CatalogImage[]>();
  for (const image of images) byName.set(image.name, [...(byName.get(image.name) ?? []), image]);
  const problems: LoadProblem[] = [];
  for (const [name, group] of byName) {
    if (group.length < 2) continue;
    const kept = group.find((image) => basename(image.dir) === name) ?? (group[0] as CatalogImage);
    const at = kept.locate(["name"]) ?? { line: 1, column: 1 };
    for (const image of group.filter((candidate) => candidate !== kept)) {
      problems.push({
        file: image.file,
        position: image.locate(["name"]) ?? { line: 1, column: 1 },
        field: "name",
        message: `duplicate image name "${name}" (already used by ${kept.file}:${at.line}:${at.column}; expected a name no other image has)`,
      });
    }
  }
  return problems;
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // ENOTDIR: a component of the path is a file (`--catalog /etc/passwd`): nothing is there.
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    if (code === "EISDIR") {
      throw new UserError(`${path} is a folder, where a file belongs`, {
        hint: "replace the folder with the file, or name the catalog folder with --catalog <dir>",
      });
    }
    throw new Error(`reading ${path}`, { cause: error });
  }
}
