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
  /** What kind of fix it needs, which picks the error's hint; `yaml` when absent. */
  kind?: ProblemKind;
}

/**
 * `yaml`: YAML syntax or a schema violation in catalog.yaml or image.yaml; `dockerfile`: a
 * Dockerfile BuildKit would refuse; `delta`: a delta file nothing copies; `missing`: a file or
 * folder the catalog needs is absent.
 */
export type ProblemKind = "yaml" | "dockerfile" | "delta" | "missing";

const HINTS: Record<ProblemKind, string> = {
  yaml: "fix the YAML at the place named; schema/catalog.schema.json and schema/image.schema.json let an editor check the YAML",
  dockerfile: "fix the Dockerfile at the line named",
  delta: "COPY the file in the Dockerfile or delete it",
  missing: "create the missing file or folder, or name the catalog folder with --catalog <dir>",
};

const SHORT_HINTS: Record<ProblemKind, string> = {
  yaml: "fix the YAML (schema/*.json let an editor check it)",
  dockerfile: "fix each Dockerfile at the line named",
  delta: "COPY each delta file in its Dockerfile or delete it",
  missing: "create each missing file",
};

/** The hint for a set of problems: one kind's full hint, or the short hints of several kinds. */
export function hintFor(problems: readonly LoadProblem[]): string {
  const kinds = [...new Set(problems.map((problem) => problem.kind ?? "yaml"))];
  const only = kinds.length === 1 ? kinds[0] : undefined;
  if (only !== undefined) return HINTS[only];
  const order: ProblemKind[] = ["missing", "yaml", "dockerfile", "delta"];
  return order
    .filter((kind) => kinds.includes(kind))
    .map((kind) => SHORT_HINTS[kind])
    .join("; ");
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
      hint: hintFor(problems),
    });
    this.name = "CatalogLoadError";
    this.problems = problems;
  }
}
