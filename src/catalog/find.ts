import { UserError } from "../errors.ts";
import type { Catalog, CatalogImage } from "./types.ts";

/** The catalog image with this name; a UserError listing the known names when there is none. */
export function findImage(catalog: Catalog, name: string): CatalogImage {
  const image = catalog.images.find((candidate) => candidate.name === name);
  if (image !== undefined) return image;
  const known = catalog.images.map((candidate) => candidate.name).join(", ");
  throw new UserError(`unknown image "${name}" in ${catalog.file}; known images: ${known}`, {
    hint: "run `solera list` to see the catalog's images",
  });
}
