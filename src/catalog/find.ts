import { UserError } from "../errors.ts";
import type { Catalog, CatalogImage } from "./types.ts";

/** The hint every unknown-image error carries. */
export const UNKNOWN_IMAGE_HINT = "run solera list to see the catalog's images";

/**
 * The catalog images with these names, in the order named and without repeats; every image when
 * `names` is empty or absent. One unknown name or more is a UserError naming them all and
 * listing the known ones, the same message for every command:
 * `unknown image "x" in catalog/catalog.yaml; known images: a, b`.
 */
export function findImages(catalog: Catalog, names?: readonly string[]): CatalogImage[] {
  if (names === undefined || names.length === 0) return catalog.images;
  const byName = new Map(catalog.images.map((image) => [image.name, image]));
  const unknown = [...new Set(names.filter((name) => !byName.has(name)))];
  if (unknown.length > 0) {
    const known = catalog.images.map((image) => image.name).join(", ") || "(none)";
    const noun = unknown.length === 1 ? "image" : "images";
    const listed = unknown.map((name) => `"${name}"`).join(", ");
    throw new UserError(`unknown ${noun} ${listed} in ${catalog.file}; known images: ${known}`, {
      hint: UNKNOWN_IMAGE_HINT,
    });
  }
  return [...new Set(names)].map((name) => byName.get(name) as CatalogImage);
}

/** The catalog image with this name; the UserError of findImages when there is none. */
export function findImage(catalog: Catalog, name: string): CatalogImage {
  return findImages(catalog, [name])[0] as CatalogImage;
}
