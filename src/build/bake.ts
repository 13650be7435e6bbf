import { dirname, relative, resolve } from "node:path";
import { writeFileAtomic } from "./atomic-write.ts";
import { formatSecret } from "./secrets.ts";
import type { Plan } from "./types.ts";

/** One target of a buildx bake file (the JSON form of `docker-bake.hcl`). */
export interface BakeTarget {
  context: string;
  /** Relative to the context, as bake reads it. */
  dockerfile: string;
  tags: string[];
  platforms: string[];
  labels: Record<string, string>;
  args?: Record<string, string>;
  /** Build secrets in BuildKit's syntax (`id=ca,src=/abs/path`); absolute paths, never values. */
  secret?: string[];
}

/** A buildx bake file: the default group lists every target. */
export interface BakeFile {
  group: { default: { targets: string[] } };
  target: Record<string, BakeTarget>;
}

/**
 * Writes the plan in buildx's bake format. Paths are made relative to `baseDir` (the folder the
 * bake file is written to), so `docker buildx bake -f docker-bake.json` works when run from there.
 */
export function toBakeFile(plan: Plan, baseDir: string = process.cwd()): BakeFile {
  const target: Record<string, BakeTarget> = {};
  for (const item of plan.targets) {
    const context = resolve(item.context);
    const entry: BakeTarget = {
      context: relative(resolve(baseDir), context) || ".",
      dockerfile: relative(context, resolve(item.dockerfile)),
      tags: item.tags,
      platforms: item.platforms,
      labels: item.labels,
    };
    if (Object.keys(item.args).length > 0) entry.args = item.args;
    if (item.secrets.length > 0) entry.secret = item.secrets.map(formatSecret);
    target[item.name] = entry;
  }
  return { group: { default: { targets: plan.targets.map((item) => item.name) } }, target };
}

/** Writes the plan as a bake file at `path` (atomically), paths relative to its folder. */
export async function writeBakeFile(plan: Plan, path: string): Promise<void> {
  const bake = toBakeFile(plan, dirname(resolve(path)));
  await writeFileAtomic(path, `${JSON.stringify(bake, null, 2)}\n`);
}
