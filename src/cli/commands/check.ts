import type { Command } from "commander";
import { ExitCode } from "../../errors.ts";
import { checkCatalog } from "../../gates/check-catalog.ts";
import type { GateReport, ImageVerdict } from "../../gates/run.ts";
import type { Finding } from "../../gates/types.ts";
import { createOutput, type Output } from "../output.ts";

/** `solera check [image…]`: admits or refuses images by the catalog's gates. */
export function registerCheckCommand(program: Command): void {
  program
    .command("check")
    .description("Check images against the catalog's gates; exit 1 when any finding is an error")
    .argument("[image...]", "images to check (default: all)")
    .action(async (names: string[], _options: unknown, command: Command) => {
      const options = command.optsWithGlobals();
      const out = createOutput({ json: Boolean(options.json) });
      const report = await checkCatalog(options.catalog, names);

      if (out.json) out.resultJson(report);
      else printReport(out, report);
      if (!report.admissible) process.exitCode = ExitCode.failed;
    });
}

function printReport(out: Output, report: GateReport): void {
  for (const verdict of report.images) {
    out.result(verdictLine(out, verdict));
    for (const finding of verdict.findings) out.result(findingLines(out, finding));
  }
  const refused = report.images.filter((verdict) => !verdict.admissible).length;
  const summary = `${count(report.images.length, "image")} checked: ${report.images.length - refused} admissible, ${refused} refused`;
  if (refused === 0) out.success(summary);
  else out.error(summary);
}

/** `aralez: refused (1 error, 1 warning)` */
function verdictLine(out: Output, verdict: ImageVerdict): string {
  const tally = (severity: Finding["severity"]) =>
    verdict.findings.filter((finding) => finding.severity === severity).length;
  const parts = [count(tally("error"), "error"), count(tally("warning"), "warning")];
  const infos = tally("info");
  if (infos > 0) parts.push(count(infos, "note"));
  const word = verdict.admissible ? out.paint("green", "admissible") : out.paint("red", "refused");
  return `${out.paint("bold", verdict.name)}: ${word} (${parts.join(", ")})`;
}

/** `  file:line: severity rule: message` and `    fix: …` */
function findingLines(out: Output, finding: Finding): string {
  const where = finding.line === undefined ? finding.file : `${finding.file}:${finding.line}`;
  const colour =
    finding.severity === "error" ? "red" : finding.severity === "warning" ? "yellow" : "cyan";
  const head = `  ${where}: ${out.paint(colour, finding.severity)} ${finding.rule}: ${finding.message}`;
  return `${head}\n    ${out.paint("dim", "fix:")} ${finding.fix}`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
