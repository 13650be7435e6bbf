import { DockerfileParser } from "dockerfile-ast";
import { DockerfileSyntaxError } from "./errors.ts";
import { expandArgs } from "./expand.ts";
import { type RawInstruction, scanInstructions } from "./scan.ts";
import type { BaseImage, Dockerfile, Instruction, Stage } from "./types.ts";
import { extractFlags, parseExecForm, splitWords } from "./words.ts";

export { DockerfileSyntaxError } from "./errors.ts";

const KEYWORDS = new Set([
  "ADD",
  "ARG",
  "CMD",
  "COPY",
  "ENTRYPOINT",
  "ENV",
  "EXPOSE",
  "FROM",
  "HEALTHCHECK",
  "LABEL",
  "MAINTAINER",
  "ONBUILD",
  "RUN",
  "SHELL",
  "STOPSIGNAL",
  "USER",
  "VOLUME",
  "WORKDIR",
]);

/**
 * Reads a Dockerfile into its stages and instructions: parser directives through dockerfile-ast,
 * logical lines and heredocs the way BuildKit splits them, FROM lines with the defaults of the
 * ARGs declared before the first FROM substituted. Throws DockerfileSyntaxError (with `path:line`)
 * for what BuildKit would refuse: an unknown instruction, anything but ARG before the first FROM,
 * an unclosed heredoc, no FROM at all.
 */
export function parseDockerfile(text: string, path: string): Dockerfile {
  const escapeChar = readEscape(text);
  const raw = scanInstructions(text, path, escapeChar);
  const globalArgs: Record<string, string | undefined> = {};
  const stages: Stage[] = [];

  for (const item of raw) {
    if (!KEYWORDS.has(item.keyword)) {
      throw new DockerfileSyntaxError(path, item.start.line, `unknown instruction ${item.keyword}`);
    }
    const instruction = toInstruction(item, escapeChar);
    const current = stages.at(-1);

    if (instruction.keyword === "FROM") {
      stages.push(toStage(instruction, stages, globalArgs, escapeChar));
    } else if (current !== undefined) {
      current.instructions.push(instruction);
    } else if (instruction.keyword === "ARG") {
      declareArgs(instruction.argv, globalArgs, escapeChar);
    } else {
      throw new DockerfileSyntaxError(
        path,
        item.start.line,
        `${instruction.keyword} comes before the first FROM; only ARG may`,
      );
    }
  }

  if (stages.length === 0) {
    throw new DockerfileSyntaxError(path, 1, "no FROM instruction: a Dockerfile needs a stage");
  }
  return { path, escape: escapeChar, globalArgs, stages };
}

/**
 * The `# escape=` directive as dockerfile-ast reads it; `\` when absent. Directives can only
 * stand in the leading comment lines, so only those are handed to dockerfile-ast: parsing the
 * whole file again would double the cost of reading a Dockerfile for nothing.
 */
function readEscape(text: string): string {
  const header = /^(?:[ \t]*#[^\n]*\n)*/.exec(text)?.[0] ?? "";
  const escapeChar = DockerfileParser.parse(header).getEscapeCharacter();
  return escapeChar === "`" ? "`" : "\\";
}

function toInstruction(item: RawInstruction, escapeChar: string): Instruction {
  const { flags, rest } = extractFlags(item.text);
  const exec = item.heredocs.length === 0 ? parseExecForm(rest) : undefined;
  return {
    keyword: item.keyword,
    flags,
    args: rest,
    argv: exec ?? splitWords(rest, escapeChar),
    execForm: exec !== undefined,
    heredocs: item.heredocs,
    start: item.start,
    endLine: item.endLine,
  };
}

/** ARG NAME[=default] ...; defaults may use the arguments declared before them. */
function declareArgs(
  words: string[],
  args: Record<string, string | undefined>,
  escapeChar: string,
): void {
  for (const word of words) {
    const equals = word.indexOf("=");
    if (equals === -1) {
      if (!Object.hasOwn(args, word)) args[word] = undefined;
      continue;
    }
    args[word.slice(0, equals)] = expandArgs(word.slice(equals + 1), args, escapeChar).value;
  }
}

function toStage(
  from: Instruction,
  earlier: Stage[],
  globalArgs: Record<string, string | undefined>,
  escapeChar: string,
): Stage {
  const [image = "", as, name] = from.argv;
  const expansion = expandArgs(image, globalArgs, escapeChar);
  const resolvedName = expansion.value.toLowerCase();
  const stage = earlier.find((candidate) => candidate.name === resolvedName);

  const resolved = stage?.name ?? (expansion.unresolved.length === 0 ? expansion.value : undefined);
  const base: BaseImage = {
    raw: image,
    ...(resolved === undefined ? {} : { resolved }),
    ...(stage?.name === undefined ? {} : { stage: stage.name }),
    ...(from.flags.platform === undefined ? {} : { platform: from.flags.platform }),
    unresolvedArgs: expansion.unresolved,
    start: from.start,
  };

  const stageName =
    as?.toLowerCase() === "as" && name !== undefined ? name.toLowerCase() : undefined;
  const result: Stage = { index: earlier.length, from: base, instructions: [] };
  if (stageName !== undefined) result.name = stageName;
  return result;
}
