import type { Command } from "commander";
import { toBakeFile } from "../../build/bake.ts";
import { planCatalog, planTable } from "../../build/plan-catalog.ts";
import { parseSecrets } from "../../build/secrets.ts";
import { createOutput } from "../output.ts";

/** `solera plan [image…]`: the build plan, as a table, JSON, or a bake file. */
export function registerPlanCommand(program: Command): void {
  program
    .command("plan")
    .description(
      "Show what would be built: tags, platforms, labels; optionally write a buildx bake file",
    )
    .argument("[image...]", "images to plan (default: all)")
    .option(
      "--registry <registry>",
      "push to <host>[:port]/<namespace> instead of the catalog's registry",
    )
    .option("--platform <platforms>", "only these platforms (comma-separated)")
    .option("--write-bake <file>", "write the plan as a buildx bake file (docker-bake.json)")
    .option("--lock <file>", "lock file to take upstream digests from")
    .option("--secret <spec>", SECRET_HELP, collect, [])
    .action(async (names: string[], _options: unknown, command: Command) => {
      const options = command.optsWithGlobals();
      const out = createOutput({ json: Boolean(options.json) });
      const plan = await planCatalog(options.catalog, {
        names,
        registry: options.registry,
        platforms: splitList(options.platform),
        lockPath: options.lock,
        bakeFile: options.writeBake,
        secrets: parseSecrets(options.secret),
      });

      if (out.json) out.resultJson({ ...plan, bake: toBakeFile(plan) });
      else out.result(planTable(plan));
      if (options.writeBake)
        out.success(
          `wrote ${options.writeBake}; run it with docker buildx bake -f ${options.writeBake}`,
        );
    });
}

/** Splits `a,b` and repeated values into a list; undefined when absent. */
export function splitList(value: string | string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const items = (Array.isArray(value) ? value : [value]).flatMap((item) => item.split(","));
  return items.map((item) => item.trim()).filter(Boolean);
}

/** The help text of `--secret`, shared by build, push and plan. */
export const SECRET_HELP =
  "build secret in BuildKit's syntax, repeatable: id=<id>,src=<file> or id=<id>,env=<VAR>";

/** Collects a repeatable option's values in order. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
