import type { Command } from "commander";
import { pushCatalog } from "../../build/run.ts";
import { checkSelection, collect, SECRET_HELP } from "../options.ts";
import { createOutput } from "../output.ts";
import { reportSummary, runOptions } from "./build.ts";

/** `solera push [image…|--all]`: push what was built, read it back, write the lock. */
export function registerPushCommand(program: Command): void {
  program
    .command("push")
    .description(
      "Push built images, read their digests back from the registry and record them in the lock",
    )
    .argument("[image...]", "images to push")
    .option("--all", "push every image of the catalog")
    .option(
      "--registry <registry>",
      "push to <host>[:port]/<namespace> instead of the catalog's registry",
    )
    .option(
      "--platform <platforms>",
      "only these platforms (comma-separated); must match the build",
    )
    .option("--engine <engine>", "auto, buildx, docker or buildctl", "auto")
    .option("--buildkit-addr <address>", "buildkitd address for --engine buildctl")
    .option("--force", "move a tag that already names another image")
    .option(
      "--keep-going",
      "push the other images when one fails (the exit code still says it failed)",
    )
    .option("--lock <file>", "lock file (default: <catalog>/solera.lock.json)")
    .option(
      "--secret <spec>",
      `${SECRET_HELP} (buildx and buildctl build again to push)`,
      collect,
      [],
    )
    .action(async (names: string[], _options: unknown, command: Command) => {
      const options = command.optsWithGlobals();
      const out = createOutput({ json: Boolean(options.json) });
      checkSelection(names, options.all, "push");
      const summary = await pushCatalog(runOptions(options, names));
      reportSummary(out, summary);
    });
}
