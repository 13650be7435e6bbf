import type { Command } from "commander";
import { loadCatalog } from "../../catalog/load.ts";
import { createOutput } from "../output.ts";

/** Adds `solera list`: the catalog's images with class, version and platforms. */
export function registerListCommand(program: Command): void {
  program
    .command("list")
    .description("list the catalog's images: name, class, version, platforms")
    .action(async (_options: unknown, command: Command) => {
      const { catalog: dir, json } = command.optsWithGlobals<{ catalog: string; json: boolean }>();
      const out = createOutput({ json });
      const catalog = await loadCatalog(dir);

      const rows = catalog.images.map((image) => ({
        name: image.name,
        class: image.class,
        version: image.version,
        platforms: image.platforms,
      }));
      if (json) {
        out.resultJson(rows);
        return;
      }
      const table = rows.map((row) => [row.name, row.class, row.version, row.platforms.join(", ")]);
      out.result(formatTable(["NAME", "CLASS", "VERSION", "PLATFORMS"], table));
    });
}

/** Lays rows out in columns padded to their widest cell, two spaces apart. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, column) =>
          column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0),
        )
        .join("  "),
    )
    .join("\n");
}
