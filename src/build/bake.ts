import { relative, resolve } from "node:path";
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
 * The plan in buildx's bake format. `docker buildx bake` resolves a target's `context` against
 * the working directory it runs in, not the bake file's folder (that needs an opt-in), and its
 * `dockerfile` against the context. So the context is absolute when `baseDir` is absent (the
 * bake file solera runs itself, from any directory), and relative to `baseDir` when given: the
 * directory the user will run bake from.
 */
export function toBakeFile(plan: Plan, baseDir?: string): BakeFile {
  const target: Record<string, BakeTarget> = {};
  for (const item of plan.targets) {
    const context = resolve(item.context);
    const entry: BakeTarget = {
      context: baseDir === undefined ? context : relative(resolve(baseDir), context) || ".",
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

/**
 * Writes the plan as a bake file at `path` (atomically) with contexts relative to the current
 * working directory, where `docker buildx bake -f <path>` is then to be run (the plan command
 * prints that command). Relative rather than absolute so the file still works in another
 * checkout of the same repository, run from the same place in it.
 */
export async function writeBakeFile(plan: Plan, path: string): Promise<void> {
  const bake = toBakeFile(plan, process.cwd());
  await writeFileAtomic(path, `${JSON.stringify(bake, null, 2)}\n`);
}
