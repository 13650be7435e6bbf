import { Command, CommanderError } from "commander";
import { describeError, ExitCode, findUserError } from "../errors.ts";
import { registerCommands } from "./commands/index.ts";
import { createOutput, jsonDocumentsPrinted } from "./output.ts";
import { readVersion, usageErrorJson, wantsJson } from "./usage.ts";

/** Runs the CLI with the given arguments and resolves to the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  // --json decides how usage errors and --version print, before commander has parsed it.
  const json = wantsJson(argv);
  const version = readVersion();
  const program = new Command("solera")
    .description("Curate, check, build and push a catalog of runtime container images")
    .option("--catalog <dir>", "catalog directory", "catalog")
    .option("--json", "print results as JSON on stdout", false)
    .version(
      json ? JSON.stringify({ version }) : version,
      "-V, --version",
      "print solera's version",
    )
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError()
    .exitOverride();
  registerCommands(program);

  const printedBefore = jsonDocumentsPrinted();
  try {
    await program.parseAsync(argv, { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : ExitCode.ok;
  } catch (error) {
    // A command that printed its JSON result already folded the error into it.
    const printed = jsonDocumentsPrinted() > printedBefore;
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return ExitCode.ok;
      // commander already wrote its message to stderr; --json adds the document on stdout.
      if (json && !printed) createOutput({ json }).resultJson(usageErrorJson(error, program, argv));
      return ExitCode.usage;
    }
    return handleError(error, Boolean(program.opts().json) && !printed);
  }
}

function handleError(error: unknown, json: boolean): number {
  const out = createOutput({ json });
  const userError = findUserError(error);
  if (userError) {
    if (json)
      out.resultJson({
        error: describeError(error),
        hint: userError.hint,
        exitCode: userError.exitCode,
      });
    out.error(describeError(error));
    if (userError.hint) out.info(`  ${out.paint("dim", "fix:", "stderr")} ${userError.hint}`);
    return userError.exitCode;
  }

  if (json) out.resultJson({ error: describeError(error), exitCode: ExitCode.internal });
  out.error(`internal error: ${describeError(error)}`);
  if (error instanceof Error && error.stack) out.info(error.stack);
  out.info(
    "This is a bug in solera. Please report it with the command you ran and the output above.",
  );
  return ExitCode.internal;
}

/**
 * Ends quietly when whoever reads stdout goes away (`solera list | head -1`): a closed pipe is
 * not an error of solera's, and a stack trace there would only be noise.
 */
export function exitQuietlyOnClosedPipe(): void {
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    process.exit(typeof process.exitCode === "number" ? process.exitCode : ExitCode.ok);
  });
}

if (import.meta.main) {
  exitQuietlyOnClosedPipe();
  process.exitCode = await runCli(process.argv.slice(2));
}
