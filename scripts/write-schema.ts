// Writes schema/*.json from the catalog's zod schemas: `npm run schema`. Run it after changing
// src/catalog/schema.ts; a test fails while the shipped files are out of date.
import { writeFile } from "node:fs/promises";
import { renderJsonSchemas } from "../src/catalog/json-schema.ts";

const root = new URL("..", import.meta.url);
for (const [path, text] of Object.entries(renderJsonSchemas())) {
  await writeFile(new URL(path, root), text);
  process.stderr.write(`wrote ${path}\n`);
}
