import { z } from "zod";
import { CatalogSpec, ImageSpec } from "./schema.ts";

/** Where the JSON Schemas ship, relative to the repository root, and what they describe. */
export const JSON_SCHEMA_FILES = {
  "schema/catalog.schema.json": { schema: CatalogSpec, title: "solera catalog.yaml" },
  "schema/image.schema.json": { schema: ImageSpec, title: "solera image.yaml" },
} as const;

/**
 * The JSON Schemas of catalog.yaml and image.yaml, generated from the zod schemas, keyed by
 * their path in the repository. They describe what an author writes (zod's input side), so
 * fields with defaults are optional; unknown keys are refused, as the loader refuses them.
 */
export function renderJsonSchemas(): Record<string, string> {
  const rendered: Record<string, string> = {};
  for (const [path, { schema, title }] of Object.entries(JSON_SCHEMA_FILES)) {
    const json = z.toJSONSchema(schema, { io: "input", target: "draft-2020-12" });
    rendered[path] = `${JSON.stringify({ ...json, title }, null, 2)}\n`;
  }
  return rendered;
}
