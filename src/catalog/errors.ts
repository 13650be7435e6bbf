import type { Position } from "../dockerfile/types.ts";
import { ExitCode, UserError } from "../errors.ts";
import type { FieldPath } from "./types.ts";

/** One reason the catalog did not load, at one place. */
export interface LoadProblem {
  /** The file the problem is in, as a path under the catalog directory given. */
  file: string;
  /** Where in the file; absent only when the file itself is missing. */
  position?: Position;
  /** The field path (`deploy.env[0].name`), when the problem belongs to a field. */
  field?: string;
  /** What is wrong and what was expected. */
  message: string;
}

/** Writes a field path the way a reader finds it in YAML: `deploy.env[0].name`. */
export function formatFieldPath(path: FieldPath): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else text += text === "" ? segment : `.${segment}`;
  }
  return text;
}

/** `file:line:column: field: message`, leaving out the parts a problem does not have. */
export function formatProblem(problem: LoadProblem): string {
  const where = problem.position
    ? `${problem.file}:${problem.position.line}:${problem.position.column}`
    : problem.file;
  return problem.field
    ? `${where}: ${problem.field}: ${problem.message}`
    : `${where}: ${problem.message}`;
}

/**
 * The catalog did not load. Carries every problem found in one pass, so a user fixes them all
 * at once; the message lists them, one per line, each with file:line:column and field path.
 */
export class CatalogLoadError extends UserError {
  /** Every problem, in the order files were read. */
  readonly problems: LoadProblem[];

  constructor(problems: LoadProblem[]) {
    const lines = problems.map(formatProblem);
    const message =
      lines.length === 1
        ? (lines[0] ?? "")
        : `the catalog has ${lines.length} load errors:\n${lines.join("\n")}`;
    super(message, {
      exitCode: ExitCode.usage,
      hint: "fix each place named above; schema/catalog.schema.json and schema/image.schema.json let an editor check the YAML as you type",
    });
    this.name = "CatalogLoadError";
    this.problems = problems;
  }
}
