import type { Dockerfile, Position } from "../dockerfile/types.ts";
import type { CatalogSpec, ImageSpec } from "./schema.ts";

/** A path into a YAML document: keys and array indexes, e.g. `["delta", "adds", 0]`. */
export type FieldPath = readonly (string | number)[];

/** Finds where a field stands in its YAML file; undefined when the field is absent. */
export type Locator = (path: FieldPath) => Position | undefined;

/** One image of the catalog as loaded from its folder. */
export interface CatalogImage extends ImageSpec {
  /** The image's folder (catalog dir as given + `images/<name>`). */
  dir: string;
  /** Path of image.yaml. */
  file: string;
  locate: Locator;
  /** Path of the Dockerfile. */
  dockerfilePath: string;
  dockerfile: Dockerfile;
  /** The delta files beside image.yaml and the Dockerfile, relative to `dir`, sorted. */
  files: string[];
}

/** The whole catalog as loaded from disk. */
export interface Catalog extends CatalogSpec {
  /** The catalog directory as given (relative paths stay relative, for short messages). */
  dir: string;
  /** Path of catalog.yaml. */
  file: string;
  locate: Locator;
  /** Images sorted by name. */
  images: CatalogImage[];
}
