import { join } from "node:path";
import { loadCatalog } from "../catalog/load.ts";
import { runGates } from "../gates/run.ts";
import { checkPlatformSelection } from "./arguments.ts";
import { writeBakeFile } from "./bake.ts";
import { readLock } from "./lock.ts";
import { type PlanOptions, planBuild } from "./plan.ts";
import type { Plan, SkippedImage } from "./types.ts";

/**
 * Loads the catalog, runs the gates and plans the images they admit, taking upstream digests
 * from the lock (the last push) so the `base.digest` label is filled without asking a registry;
 * refused images are listed in `refused` and left out of the targets and the bake file, which
 * is written when asked.
 */
export async function planCatalog(
  catalogDir: string,
  options: Omit<PlanOptions, "upstreamDigests"> & { lockPath?: string; bakeFile?: string } = {},
): Promise<Plan> {
  const catalog = await loadCatalog(catalogDir);
  const lock = await readLock(options.lockPath ?? join(catalog.dir, "solera.lock.json"));
  const upstreamDigests: Record<string, string> = {};
  for (const entry of Object.values(lock.images)) Object.assign(upstreamDigests, entry.upstreams);

  // Planned in full first, so unknown names, the registry and the platform filter are checked
  // against what was asked, not against what the gates leave.
  const full = planBuild(catalog, { ...options, upstreamDigests });
  checkPlatformSelection(full, options.names);

  const names = options.names?.length ? options.names : undefined;
  const report = runGates(catalog, names);
  const refused: SkippedImage[] = report.images
    .filter((image) => !image.admissible)
    .map((image) => ({ name: image.name, reason: refusal(image.findings) }));
  const left = new Set(refused.map((image) => image.name));
  const plan: Plan = {
    ...full,
    targets: full.targets.filter((target) => !left.has(target.name)),
    skipped: full.skipped.filter((image) => !left.has(image.name)),
    refused,
  };
  if (options.bakeFile) await writeBakeFile(plan, options.bakeFile);
  return plan;
}

/** Why the gates refuse an image: its error-level findings, `rule message; …`. */
export function refusal(findings: { severity: string; rule: string; message: string }[]): string {
  const errors = findings.filter((finding) => finding.severity === "error");
  return `refused by the gates: ${errors.map((finding) => `${finding.rule} ${finding.message}`).join("; ")}`;
}

/** The plan as a table with aligned columns: image, tag, platforms, context, then left-outs. */
export function planTable(plan: Plan): string {
  const rows = [["IMAGE", "TAG", "PLATFORMS", "CONTEXT"]];
  for (const target of plan.targets)
    rows.push([target.name, target.tags.join(","), target.platforms.join(","), target.context]);
  const widths = (rows[0] ?? []).map((_, column) =>
    Math.max(...rows.map((row) => (row[column] ?? "").length)),
  );
  const lines = rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join("  ")
      .trimEnd(),
  );
  const notes = [
    ...plan.skipped.map((item) => `${item.name}: skipped: ${item.reason}`),
    ...(plan.refused ?? []).map((item) => `${item.name}: ${item.reason}`),
  ];
  return [...lines, ...(notes.length > 0 ? ["", ...notes] : [])].join("\n");
}
