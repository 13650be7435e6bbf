import type { Command } from "commander";
import { checkEngineChoice, parsePlatforms } from "../../build/arguments.ts";
import { runFailure, summaryJson, summaryTable } from "../../build/outcome.ts";
import { buildCatalog } from "../../build/run.ts";
import { parseSecrets } from "../../build/secrets.ts";
import { describeError } from "../../errors.ts";
import { checkSelection, collect, SECRET_HELP } from "../options.ts";
import { createOutput } from "../output.ts";

/** `solera build [image…|--all]`: gates, plan, engine build, and with --push the push and the lock. */
export function registerBuildCommand(program: Command): void {
  program
    .command("build")
    .description(
      "Build catalog images with BuildKit (gates first); --push publishes them and writes the lock",
    )
    .argument("[image...]", "images to build")
    .option("--all", "build every image of the catalog")
    .option(
      "--registry <registry>",
      "tag for <host>[:port]/<namespace> instead of the catalog's registry",
    )
    .option("--platform <platforms>", "only these platforms (comma-separated)")
    .option("--engine <engine>", "auto, buildx, docker or buildctl", "auto")
    .option("--buildkit-addr <address>", "buildkitd address for --engine buildctl")
    .option("--push", "push after building and record digests in the lock")
    .option("--force", "move a tag that already names another image")
    .option(
      "--keep-going",
      "build the other images when one fails (the exit code still says it failed)",
    )
    .option(
      "--skip-unavailable",
      "skip images whose upstream cannot be resolved instead of failing them",
    )
    .option("--sbom", "attach an SBOM attestation (buildx, buildctl)")
    .option("--provenance", "attach a provenance attestation (buildx, buildctl)")
    .option("--lock <file>", "lock file (default: <catalog>/solera.lock.json)")
    .option("--secret <spec>", SECRET_HELP, collect, [])
    .action(async (names: string[], _options: unknown, command: Command) => {
      const options = command.optsWithGlobals();
      const out = createOutput({ json: Boolean(options.json) });
      checkSelection(names, options.all, "build");
      const summary = await buildCatalog({
        ...runOptions(options, names),
        push: Boolean(options.push),
      });
      reportSummary(out, summary);
    });
}

/** The RunOptions shared by build and push, from the command's options. */
export function runOptions(options: Record<string, unknown>, names: string[]) {
  const terminal = process.stderr.isTTY === true && process.env.CI !== "true";
  return {
    catalogDir: String(options.catalog),
    names,
    registry: options.registry as string | undefined,
    platforms: parsePlatforms(options.platform as string | undefined),
    engine: checkEngineChoice(options.engine as string | undefined),
    buildkitAddr: options.buildkitAddr as string | undefined,
    force: Boolean(options.force),
    keepGoing: Boolean(options.keepGoing),
    skipUnavailable: Boolean(options.skipUnavailable),
    sbom: Boolean(options.sbom),
    provenance: Boolean(options.provenance),
    secrets: parseSecrets(options.secret as string[] | undefined),
    lockPath: options.lock as string | undefined,
    log: process.stderr,
    progress: terminal ? (line: string) => process.stderr.write(`» ${line}\n`) : undefined,
  };
}

/**
 * Prints the summary (a table on stdout, or JSON with --json) and throws the run's failure, if
 * any. With --json the failure is folded into the one document (`error`, `hint`, `exitCode`),
 * and the CLI prints no second one; the exit code is the failure's either way.
 */
export function reportSummary(
  out: ReturnType<typeof createOutput>,
  summary: Parameters<typeof summaryTable>[0],
): void {
  const failure = runFailure(summary);
  if (out.json) {
    const error = failure
      ? { error: describeError(failure), hint: failure.hint, exitCode: failure.exitCode }
      : {};
    out.resultJson({ ...(summaryJson(summary) as object), ...error });
  } else out.result(summaryTable(summary));
  if (summary.lock) out.success(`lock written: ${summary.lock}`);
  if (summary.lockUnchanged) out.success(`lock unchanged: ${summary.lockUnchanged}`);
  if (failure) throw failure;
}
