import { describeError, ExitCode, findUserError, UserError } from "../errors.ts";

/** How one image fared in a build or push run. */
export type ImageStatus = "built" | "pushed" | "unchanged" | "refused" | "skipped" | "failed";

/** One row of the summary. */
export interface ImageOutcome {
  name: string;
  platforms: string[];
  status: ImageStatus;
  /** The digest the tag names in the registry (push only). */
  digest?: string;
  durationMs: number;
  /** Why an image was refused, skipped or failed. */
  reason?: string;
  /** The failure itself, for the exit code (not serialised). */
  error?: unknown;
}

/** What a whole run did. */
export interface RunSummary {
  engine?: string;
  registry?: string;
  outcomes: ImageOutcome[];
  /** The lock written, when the run pushed and every image succeeded. */
  lock?: string;
  /** The lock left as it was because the run recorded nothing new (every push unchanged). */
  lockUnchanged?: string;
  /** True when no image failed or was refused. */
  ok: boolean;
}

/** The summary as JSON: errors become their messages. */
export function summaryJson(summary: RunSummary): unknown {
  return {
    ...summary,
    outcomes: summary.outcomes.map(({ error, ...rest }) => rest),
  };
}

/** The summary as a table: image, platforms, status, digest, duration. */
export function summaryTable(summary: RunSummary): string {
  const rows = [["IMAGE", "PLATFORMS", "STATUS", "DIGEST", "DURATION"]];
  for (const outcome of summary.outcomes) {
    rows.push([
      outcome.name,
      outcome.platforms.join(",") || "-",
      outcome.status,
      outcome.digest ?? "-",
      `${(outcome.durationMs / 1000).toFixed(1)}s`,
    ]);
  }
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length))) ?? [];
  const lines = rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join("  ")
      .trimEnd(),
  );
  const notes = summary.outcomes
    .filter((outcome) => outcome.reason)
    .map((outcome) => `${outcome.name}: ${outcome.reason}`);
  return [...lines, ...(notes.length > 0 ? ["", ...notes] : [])].join("\n");
}

/**
 * The error a run ends with when something failed: a single failure keeps its own message and
 * exit code (5 for a moved tag, 4 for credentials, 3 for the environment, 1 for a build);
 * several give exit code 1; refused images alone give exit code 1.
 */
export function runFailure(summary: RunSummary): UserError | undefined {
  const failed = summary.outcomes.filter((outcome) => outcome.status === "failed");
  const refused = summary.outcomes.filter((outcome) => outcome.status === "refused");
  const lockNote = "the lock was left as it was";

  if (failed.length === 1 && refused.length === 0) {
    const error = failed[0]?.error;
    const user = findUserError(error);
    return new UserError(`${failed[0]?.name}: ${describeError(error)} (${lockNote})`, {
      exitCode: user?.exitCode ?? ExitCode.failed,
      hint: user?.hint,
      cause: undefined,
    });
  }
  if (failed.length + refused.length === 0) return undefined;

  const names = [...failed, ...refused].map((outcome) => `${outcome.name} (${outcome.status})`);
  return new UserError(
    `${names.length} of ${summary.outcomes.length} images did not succeed: ${names.join(", ")}; ${lockNote}`,
    {
      exitCode: ExitCode.failed,
      hint: "see the summary above; refused images fail the catalog's gates (solera check says why)",
    },
  );
}
