import type { Command } from "commander";
import { parsePlatforms } from "../../build/arguments.ts";
import { ExitCode } from "../../errors.ts";
import { runSmokeTests, type SmokeReport } from "../../smoke/run.ts";
import { checkSelection, parseSeconds } from "../options.ts";
import { createOutput, type Output } from "../output.ts";

/** `solera smoke [image…|--all]`: run each image's smoke tests in containers. */
export function registerSmokeCommand(program: Command): void {
  program
    .command("smoke")
    .description(
      "Run each image's smoke tests (image.yaml smoke:) in containers on the local engine; run[0] replaces the entrypoint",
    )
    .argument("[image...]", "images to test")
    .option("--all", "test every image of the catalog")
    .option(
      "--registry <registry>",
      "pull the images from <host>[:port]/<namespace> instead of the catalog's registry",
    )
    .option("--platform <platforms>", "only these platforms (comma-separated)")
    .option("--timeout <seconds>", "time limit of one test", "120")
    .option(
      "--skip-unavailable",
      "skip the tests of images that are neither pushed nor built here instead of failing",
    )
    .action(async (names: string[], _options: unknown, command: Command) => {
      const options = command.optsWithGlobals();
      const out = createOutput({ json: Boolean(options.json) });
      checkSelection(names, options.all, "smoke");
      const report = await runSmokeTests({
        catalogDir: String(options.catalog),
        names,
        registry: options.registry as string | undefined,
        platforms: parsePlatforms(options.platform as string | undefined),
        timeoutMs: parseSeconds(String(options.timeout), "--timeout") * 1000,
        skipUnavailable: Boolean(options.skipUnavailable),
      });

      if (out.json) out.resultJson(report);
      else printReport(out, report);
      if (!report.passed) process.exitCode = ExitCode.failed;
    });
}

function printReport(out: Output, report: SmokeReport): void {
  for (const result of report.results) {
    const status =
      result.status === "passed"
        ? out.paint("green", "pass")
        : result.status === "failed"
          ? out.paint("red", "FAIL")
          : out.paint("yellow", "skip");
    const time =
      result.durationMs === undefined ? "" : ` (${(result.durationMs / 1000).toFixed(1)} s)`;
    out.result(`${status}  ${result.image} ${result.platform}: ${result.test}${time}`);
    if (result.reason) out.result(`      ${result.reason}`);
    for (const line of result.tail ?? []) out.result(out.paint("dim", `      | ${line}`));
  }
  const count = (status: string) => report.results.filter((r) => r.status === status).length;
  const summary = `${report.results.length} smoke tests: ${count("passed")} passed, ${count("failed")} failed, ${count("skipped")} skipped`;
  if (report.passed) out.success(summary);
  else out.error(summary);
}
