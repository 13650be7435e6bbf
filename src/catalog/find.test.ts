import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UserError } from "../errors.ts";
import { findImage, findImages } from "./find.ts";
import type { Catalog } from "./types.ts";

const catalog = {
  file: "cat/catalog.yaml",
  images: [{ name: "a" }, { name: "b" }, { name: "c" }],
} as unknown as Catalog;

describe("findImages", () => {
  it("returns every image when no names are given", () => {
    assert.deepEqual(
      findImages(catalog, []).map((image) => image.name),
      ["a", "b", "c"],
    );
  });

  it("returns the named images in the order named, without repeats", () => {
    assert.deepEqual(
      findImages(catalog, ["c", "a", "c"]).map((image) => image.name),
      ["c", "a"],
    );
  });

  it("refuses one unknown name with the shared message and hint", () => {
    assert.throws(
      () => findImage(catalog, "x"),
      (error: unknown) =>
        error instanceof UserError &&
        error.message === 'unknown image "x" in cat/catalog.yaml; known images: a, b, c' &&
        error.hint === "run solera list to see the catalog's images",
    );
  });

  it("names every unknown image at once", () => {
    assert.throws(() => findImages(catalog, ["x", "a", "y"]), {
      message: 'unknown images "x", "y" in cat/catalog.yaml; known images: a, b, c',
    });
  });
});
