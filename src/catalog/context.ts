import { stat } from "node:fs/promises";
import { isAbsolute, relative, resolve, sep } from "node:path";
import type { LoadProblem } from "./errors.ts";
import type { Locator } from "./types.ts";

/**
 * Checks an image's `context:` (relative to the image folder): it must be a folder that exists
 * and lies inside `repository`, the catalog folder's parent. A context that escapes the
 * repository would send files from anywhere on the machine to the builder, and a missing one
 * only fails late, when the build starts. Returns the problems, none when the field is absent.
 */
export async function checkContext(
  context: string | undefined,
  imageDir: string,
  repository: string,
  file: string,
  locate: Locator,
): Promise<LoadProblem[]> {
  if (context === undefined) return [];
  const where = { file, position: locate(["context"]) ?? { line: 1, column: 1 }, field: "context" };
  const target = resolve(imageDir, context);
  const root = resolve(repository);
  const inside = relative(root, target);
  if (inside === ".." || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
    return [
      {
        ...where,
        message: `"${context}" resolves to ${target}, outside the repository ${root} (expected a folder relative to the image folder, inside the catalog folder's parent)`,
      },
    ];
  }
  const isFolder = await stat(target).then(
    (info) => info.isDirectory(),
    () => false,
  );
  if (isFolder) return [];
  return [
    {
      ...where,
      message: `"${context}" resolves to ${target}, which is not an existing folder (expected a folder relative to the image folder, such as ../../.. for the repository root)`,
    },
  ];
}
