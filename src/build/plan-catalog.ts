import { join } from "node:path";
import { loadCatalog } from "../catalog/load.ts";
import { writeBakeFile } from "./bake.ts";
import { readLock } from "./lock.ts";
import { type PlanOptions, planBuild } from "./plan.ts";
import type { Plan } from "./types.ts";

/**
 * Loads the catalog and plans it, taking upstream digests from the lock (the last push) so the
 * `base.digest` label is filled without asking a registry; writes the bake file when asked.
 */
export async function planCatalog(
  catalogDir: string,
  options: Omit<PlanOptions, "upstreamDigests"> & { lockPath?: string; bakeFile?: string } = {},
): Promise<Plan> {
  const catalog = await loadCatalog(catalogDir);
  const lock = await readLock(options.lockPath ?? join(catalog.dir, "solera.lock.json"));
  const upstreamDigests: Record<string, string> = {};
  for (const entry of Object.values(lock.images)) Object.assign(upstreamDigests, entry.upstreams);

  const plan = planBuild(catalog, { ...options, upstreamDigests });
  if (options.bakeFile) await writeBakeFile(plan, options.bakeFile);
  return plan;
}

/** The plan as a short table: target, tag, platforms, context. */
export function planTable(plan: Plan): string {
  const lines = plan.targets.map(
    (target) =>
      `${target.name.padEnd(18)} ${target.tags.join(",")}  ${target.platforms.join(",")}  ${target.context}`,
  );
  for (const skipped of plan.skipped)
    lines.push(`${skipped.name.padEnd(18)} skipped: ${skipped.reason}`);
  return lines.join("\n");
}
