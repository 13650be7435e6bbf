import type { Command } from "commander";
import { checkWritableFile, parsePlatforms } from "../../build/arguments.ts";
import { toBakeFile } from "../../build/bake.ts";
import { planCatalog, planTable } from "../../build/plan-catalog.ts";
import { parseSecrets } from "../../build/secrets.ts";
import type { Plan } from "../../build/types.ts";
import { ExitCode, UserError } from "../../errors.ts";
import { collect, SECRET_HELP } from "../options.ts";
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
      const platforms = parsePlatforms(options.platform);
      if (options.writeBake) checkWritableFile("--write-bake", options.writeBake);
      const plan = await planCatalog(options.catalog, {
        names,
        registry: options.registry,
        platforms,
        lockPath: options.lock,
        bakeFile: options.writeBake,
        secrets: parseSecrets(options.secret),
      });

      const failure = planFailure(plan);
      if (out.json) {
        const error = failure
          ? { error: failure.message, hint: failure.hint, exitCode: failure.exitCode }
          : {};
        out.resultJson({ ...plan, bake: toBakeFile(plan, process.cwd()), ...error });
      } else out.result(planTable(plan));
      // The bake file's paths are relative to the working directory (see writeBakeFile), so
      // the command printed is the one to run from here.
      if (options.writeBake)
        out.success(
          `wrote ${options.writeBake}; from ${process.cwd()} run: docker buildx bake -f ${options.writeBake}`,
        );
      if (failure) throw failure;
    });
}

/** The error a plan ends with when the gates refused images: exit code 1, as `check` does. */
function planFailure(plan: Plan): UserError | undefined {
  const refused = plan.refused ?? [];
  if (refused.length === 0) return undefined;
  return new UserError(
    `the gates refuse ${refused.map((image) => image.name).join(", ")}, left out of the plan`,
    { exitCode: ExitCode.failed, hint: "solera check says why and what to change" },
  );
}
