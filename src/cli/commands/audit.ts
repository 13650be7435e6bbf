import type { Command } from "commander";
import type { AuditFinding } from "../../audit/delta-walker.ts";
import { formatBytes } from "../../audit/image-findings.ts";
import { shortenCreatedBy } from "../../audit/image-source.ts";
import { auditCatalog } from "../../audit/run.ts";
import type { AuditReport, ImageAudit, PlatformAudit } from "../../audit/types.ts";
import { parsePlatforms } from "../../build/arguments.ts";
import { ExitCode } from "../../errors.ts";
import { checkSelection } from "../options.ts";
import { createOutput, type Output } from "../output.ts";

/** `solera audit [image…|--all]`: prove each pushed image's delta against its upstream. */
export function registerAuditCommand(program: Command): void {
  program
    .command("audit")
    .description(
      "Compare pushed images with their upstream layer by layer: what the delta adds, how big, and findings; exit 1 on an error finding",
    )
    .argument("[image...]", "images to audit")
    .option("--all", "audit every image of the catalog")
    .option(
      "--registry <registry>",
      "read the images from <host>[:port]/<namespace> instead of the catalog's registry",
    )
    .option("--platform <platforms>", "only these platforms (comma-separated)")
    .option("--skip-unavailable", "report images that are not pushed as skipped instead of failing")
    .action(async (names: string[], _options: unknown, command: Command) => {
      const options = command.optsWithGlobals();
      const out = createOutput({ json: Boolean(options.json) });
      checkSelection(names, options.all, "audit");
      const report = await auditCatalog({
        catalogDir: String(options.catalog),
        names,
        registry: options.registry as string | undefined,
        platforms: parsePlatforms(options.platform as string | undefined),
        skipUnavailable: Boolean(options.skipUnavailable),
      });

      if (out.json) out.resultJson(report);
      else printReport(out, report);
      if (!report.admissible) process.exitCode = ExitCode.failed;
    });
}

function printReport(out: Output, report: AuditReport): void {
  for (const audit of report.images) printImage(out, audit);
  for (const { name, reason } of report.skipped) {
    out.result(`${out.paint("bold", name)}: ${out.paint("yellow", "skipped")} (${reason})`);
  }
  const refused = report.images.filter((audit) => !audit.admissible).length;
  const summary = `${report.images.length} audited: ${report.images.length - refused} admissible, ${refused} refused`;
  if (refused === 0) out.success(summary);
  else out.error(summary);
}

function printImage(out: Output, audit: ImageAudit): void {
  const verdict = audit.admissible ? out.paint("green", "admissible") : out.paint("red", "refused");
  out.result(`${out.paint("bold", audit.name)}: ${verdict}`);
  out.result(`  image     ${audit.reference}@${audit.digest}`);
  out.result(
    `  upstream  ${audit.upstream.reference}@${audit.upstream.digest} (read from ${audit.upstream.source})`,
  );
  out.result(
    table([
      ["PLATFORM", "LAYERS", "DELTA GZ", "DELTA TAR", "OF UPSTREAM", "FILES ADDED"],
      ...audit.platforms.map(platformRow),
    ]),
  );
  for (const platform of audit.platforms) {
    for (const layer of platform.layers) {
      const sizes = `${formatBytes(layer.size.compressed)} / ${formatBytes(layer.size.uncompressed)}`;
      const changes = `+${layer.added} ~${layer.changed} -${layer.deleted}`;
      out.result(
        `  ${platform.platform} layer ${layer.index}: ${sizes}, ${changes}  ${layer.createdBy}`,
      );
    }
  }
  for (const platform of audit.platforms) {
    for (const finding of platform.findings) out.result(findingLines(out, platform, finding));
  }
}

function platformRow(platform: PlatformAudit): string[] {
  const files = Object.entries(platform.addedByTopDir)
    .sort((a, b) => b[1] - a[1])
    .map(([dir, count]) => `/${dir} ${count}`)
    .join(", ");
  return [
    platform.platform,
    String(platform.layers.length),
    formatBytes(platform.delta.compressed),
    formatBytes(platform.delta.uncompressed),
    `${(platform.ratio.uncompressed * 100).toFixed(1)}%`,
    files || "-",
  ];
}

/** `  error AUDIT.apt-lists [linux/amd64, layer 1: RUN apt-get …]: message` and its paths. */
function findingLines(out: Output, platform: PlatformAudit, finding: AuditFinding): string {
  const colour = finding.severity === "error" ? "red" : "yellow";
  const where =
    finding.layer === undefined
      ? platform.platform
      : `${platform.platform}, layer ${finding.layer}: ${shortenCreatedBy(finding.createdBy, 60)}`;
  const lines = [
    `  ${out.paint(colour, finding.severity)} ${finding.rule} [${where}]: ${finding.message}`,
  ];
  for (const path of finding.paths) lines.push(`    ${path}`);
  const more = finding.count - finding.paths.length;
  if (more > 0) lines.push(out.paint("dim", `    … and ${more} more`));
  return lines.join("\n");
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, column) =>
    Math.max(...rows.map((row) => row[column]?.length ?? 0)),
  );
  return rows
    .map((row) =>
      `  ${row.map((cell, column) => cell.padEnd(widths?.[column] ?? 0)).join("  ")}`.trimEnd(),
    )
    .join("\n");
}
