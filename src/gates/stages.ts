import type { Dockerfile, Instruction, Stage } from "../dockerfile/types.ts";

/** Instructions that change the filesystem of the image; all others only set metadata. */
export const FILESYSTEM_INSTRUCTIONS = new Set(["RUN", "COPY", "ADD"]);

/** The stage the image is made of: the last one (BuildKit's default target). */
export function finalStage(dockerfile: Dockerfile): Stage | undefined {
  return dockerfile.stages.at(-1);
}

/** The stages other than the final one. */
export function buildStages(dockerfile: Dockerfile): Stage[] {
  return dockerfile.stages.slice(0, -1);
}

/** Whether a `--from=` value or a bare FROM names a stage (by name or 0-based index). */
export function isStageReference(dockerfile: Dockerfile, value: string): boolean {
  const lower = value.toLowerCase();
  if (/^[0-9]+$/.test(value)) return Number(value) < dockerfile.stages.length;
  return dockerfile.stages.some((stage) => stage.name === lower);
}

/** The `from=` of a `--mount=type=bind,from=x` flag, when present. */
export function mountSource(instruction: Instruction): string | undefined {
  const mount = instruction.flags.mount;
  if (mount === undefined) return undefined;
  const part = mount.split(",").find((item) => item.startsWith("from="));
  return part?.slice("from=".length);
}

/** The sources and destination of a COPY or ADD (heredoc markers are not sources). */
export function copyOperands(instruction: Instruction): { sources: string[]; destination: string } {
  const words = instruction.argv;
  const destination = words.at(-1) ?? "";
  const sources = words.slice(0, -1).filter((word) => !word.startsWith("<<"));
  return { sources, destination };
}

/**
 * Resolves a COPY/ADD destination against the WORKDIRs before it in its stage, the way the
 * builder does: relative paths are taken from the last WORKDIR, `/` by default.
 */
export function absoluteDestination(stage: Stage, instruction: Instruction): string {
  const { destination } = copyOperands(instruction);
  if (destination.startsWith("/") || destination.startsWith("$")) return destination;
  let workdir = "/";
  for (const item of stage.instructions) {
    if (item === instruction) break;
    if (item.keyword !== "WORKDIR") continue;
    const path = item.argv[0] ?? "/";
    workdir = path.startsWith("/") ? path : `${workdir.replace(/\/$/, "")}/${path}`;
  }
  return `${workdir.replace(/\/$/, "")}/${destination}`;
}

/** `NAME=value` pairs of an ENV or ARG (and the legacy `ENV NAME value` form). */
export function assignments(instruction: Instruction): { name: string; value?: string }[] {
  const words = instruction.argv;
  const first = words[0] ?? "";
  if (instruction.keyword === "ENV" && words.length > 1 && !first.includes("=")) {
    return [{ name: first, value: words.slice(1).join(" ") }];
  }
  return words.map((word) => {
    const equals = word.indexOf("=");
    return equals === -1
      ? { name: word }
      : { name: word.slice(0, equals), value: word.slice(equals + 1) };
  });
}

/**
 * The line where each heredoc body of an instruction starts. Heredoc bodies follow the
 * instruction's line one after another, each closed by its delimiter line, and the last
 * delimiter is the instruction's last line: counting back from there gives each start.
 */
export function heredocStartLines(instruction: Instruction): number[] {
  const starts: number[] = [];
  let end = instruction.endLine;
  for (const heredoc of [...instruction.heredocs].reverse()) {
    const lines = heredoc.body === "" ? 0 : heredoc.body.replace(/\n$/, "").split("\n").length;
    const start = end - lines;
    starts.unshift(start);
    end = start - 1;
  }
  return starts;
}
