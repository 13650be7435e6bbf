import { accessSync, constants, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Catalog } from "../catalog/types.ts";
import { UserError } from "../errors.ts";
import type { EngineChoice } from "./engines/detect.ts";
import { readLock } from "./lock.ts";
import { planBuild } from "./plan.ts";
import type { Plan } from "./types.ts";

const ENGINES: EngineChoice[] = ["auto", "buildx", "docker", "buildctl"];

/** Checks `--engine`: one of auto, buildx, docker, buildctl (exit 2 otherwise). */
export function checkEngineChoice(value: string | undefined): EngineChoice {
  if (value === undefined) return "auto";
  if ((ENGINES as string[]).includes(value)) return value as EngineChoice;
  throw new UserError(`unknown engine "${value}" (expected auto, buildx, docker or buildctl)`, {
    hint: "leave --engine out to use the first engine found, or pass --engine docker",
  });
}

// `<os>/<arch>[/<variant>]` in the lower case the OCI image index uses: linux/amd64, linux/arm/v7.
const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9]+)?$/;

/**
 * Reads `--platform` (comma-separated, repeatable): undefined when absent; a malformed or empty
 * value is a UserError (exit 2) naming it and the accepted form.
 */
export function parsePlatforms(value: string | string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const items = (Array.isArray(value) ? value : [value]).flatMap((item) => item.split(","));
  const platforms = items.map((item) => item.trim());
  const bad = platforms.filter((item) => !PLATFORM.test(item));
  if (platforms.length === 0 || bad.length > 0) {
    const shown = bad.length > 0 ? bad.map((item) => `"${item}"`).join(", ") : '""';
    throw new UserError(
      `--platform ${shown} is not <os>/<arch>[/<variant>] (comma-separated, e.g. linux/amd64,linux/arm64)`,
      { hint: "leave --platform out to build every platform an image declares" },
    );
  }
  return [...new Set(platforms)];
}

/**
 * Checks before any work that a file can be written at `path` (its folder exists and is
 * writable, and it is not itself a folder), so a bad `--lock` or `--write-bake` fails at once
 * with exit 2 rather than after the builds and pushes it would record.
 */
export function checkWritableFile(flag: string, path: string): void {
  const full = resolve(path);
  const fail = (problem: string): never => {
    throw new UserError(`${flag} ${path}: ${problem}`, {
      hint: `pass ${flag} a file path in an existing folder you can write to`,
    });
  };
  const target = statOf(full);
  if (target?.isDirectory()) fail("is a folder, not a file");
  const folder = statOf(dirname(full));
  if (!folder) fail(`the folder ${dirname(full)} does not exist`);
  if (!folder?.isDirectory()) fail(`${dirname(full)} is not a folder`);
  try {
    accessSync(dirname(full), constants.W_OK);
    if (target) accessSync(full, constants.W_OK);
  } catch {
    fail(target ? "the file is not writable" : `the folder ${dirname(full)} is not writable`);
  }
}

function statOf(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/**
 * The rule for `--platform` filters: an image named on the command line that none of the asked
 * platforms can build is a usage error (exit 2); with all images (`--all`, or none named), the
 * images the filter leaves out are reported as skipped, and the run goes on only when at least
 * one target remains (exit 2 otherwise).
 */
export function checkPlatformSelection(plan: Plan, names: string[] | undefined): void {
  const hint = "leave --platform out, or ask for a platform the image declares in its image.yaml";
  const named = new Set(names ?? []);
  const missed = plan.skipped.filter((item) => named.has(item.name));
  if (missed.length > 0) {
    const why = missed.map((item) => `${item.name} ${item.reason}`).join("; ");
    throw new UserError(`nothing to build for the platforms asked: ${why}`, { hint });
  }
  if (plan.targets.length === 0 && plan.skipped.length > 0) {
    throw new UserError("no image of the catalog builds any of the platforms asked", { hint });
  }
}

/**
 * Refuses to push a target built for fewer platforms than its image declares: the pinned version
 * tag must name the full multi-platform image, and once it names a narrower one it could never
 * be moved (pinned tags are immutable). Building a subset without pushing stays allowed.
 */
export function checkPushPlatforms(plan: Plan, catalog: Catalog): void {
  for (const target of plan.targets) {
    const image = catalog.images.find((item) => item.name === target.name);
    if (!image || target.platforms.length >= image.platforms.length) continue;
    throw new UserError(
      `cannot push ${target.name} for ${target.platforms.join(", ")} only: its version tag must name every platform it declares (${image.platforms.join(", ")})`,
      {
        hint: `push without --platform (QEMU builds the other platforms), or build the subset without --push`,
      },
    );
  }
}

/**
 * Everything a build or push run checks once the catalog is loaded and before any work: image
 * names, the registry, the platform filter, and with a push the platforms pushed, the lock's
 * folder and the lock itself (a lock this solera cannot read fails now, not after the push).
 */
export async function checkRunArguments(
  catalog: Catalog,
  options: { names?: string[]; registry?: string; platforms?: string[]; push?: boolean },
  lock: { path: string; flag: string },
): Promise<void> {
  const plan = planBuild(catalog, {
    names: options.names,
    registry: options.registry,
    platforms: options.platforms,
    revision: "-",
    created: "-",
    source: "-",
  });
  checkPlatformSelection(plan, options.names);
  if (!options.push) return;
  checkPushPlatforms(plan, catalog);
  checkWritableFile(lock.flag, lock.path);
  await readLock(lock.path);
}
