import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { describe, it } from "node:test";
import { renderJsonSchemas } from "./json-schema.ts";

const root = new URL("../../", import.meta.url);

describe("JSON Schemas", () => {
  it("ships schema files that match the zod schemas (run npm run schema after a change)", async () => {
    for (const [path, text] of Object.entries(renderJsonSchemas())) {
      assert.equal(await readFile(new URL(path, root), "utf8"), text, `${path} is out of date`);
    }
  });

  it("refuses unknown keys in the generated schema", () => {
    const image = JSON.parse(renderJsonSchemas()["schema/image.schema.json"] ?? "{}");
    assert.equal(image.additionalProperties, false);
    assert.equal(image.properties.delta.additionalProperties, false);
  });

  it("points every shipped YAML file at its schema", async () => {
    const catalog = await readFile(new URL("catalog/catalog.yaml", root), "utf8");
    assert.match(
      catalog,
      /^# yaml-language-server: \$schema=\.\.\/schema\/catalog\.schema\.json\n/,
    );
    for (const name of await readdir(new URL("catalog/images/", root))) {
      const image = await readFile(new URL(`catalog/images/${name}/image.yaml`, root), "utf8");
      assert.match(
        image,
        /^# yaml-language-server: \$schema=\.\.\/\.\.\/\.\.\/schema\/image\.schema\.json\n/,
        `catalog/images/${name}/image.yaml`,
      );
    }
  });
});
