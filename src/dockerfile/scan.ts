import { DockerfileSyntaxError } from "./errors.ts";
import type { Heredoc, Position } from "./types.ts";

// Splits a Dockerfile into logical instructions the way BuildKit's parser does. dockerfile-ast
// 0.7.1 reads the parser directives well but not all of this: it keeps an indented comment line
// inside a line continuation as arguments, and it joins a heredoc body line that ends in a
// backslash with the delimiter line, losing the delimiter. BuildKit's rules, reproduced here:
// - a line whose first non-blank character is `#` is a comment, also inside a continuation;
// - a line ending in the escape character (trailing blanks allowed) continues on the next line;
// - blank lines inside a continuation are skipped;
// - for RUN, COPY and ADD, each `<<NAME` word opens a heredoc whose body is the raw lines after
//   the instruction up to a line equal to NAME (`<<-` strips leading tabs); bodies are raw text.

/** One logical instruction before its arguments are interpreted. */
export interface RawInstruction {
  keyword: string;
  /** Everything after the keyword, continuations joined, comment lines dropped. */
  text: string;
  heredocs: Heredoc[];
  start: Position;
  endLine: number;
}

const HEREDOC_KEYWORDS = new Set(["RUN", "COPY", "ADD"]);
const HEREDOC_WORD = /^[0-9]*<<(-?)(.+)$/;

/** Splits Dockerfile text into logical instructions; throws DockerfileSyntaxError on bad heredocs. */
export function scanInstructions(text: string, path: string, escapeChar: string): RawInstruction[] {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  const continuation = new RegExp(`${escapeRegExp(escapeChar)}[ \\t]*$`);
  const result: RawInstruction[] = [];

  let index = 0;
  while (index < lines.length) {
    const line = lines[index] ?? "";
    const trimmed = line.trimStart();
    if (trimmed === "" || trimmed.startsWith("#")) {
      index++;
      continue;
    }

    const start: Position = { line: index + 1, column: line.length - trimmed.length + 1 };
    const joined = joinContinuations(lines, index, continuation);
    const match = /^(\S+)\s*([\s\S]*)$/.exec(joined.text) ?? [];
    const keyword = (match[1] ?? "").toUpperCase();
    const args = (match[2] ?? "").trim();

    const openers = HEREDOC_KEYWORDS.has(keyword) ? heredocOpeners(args) : [];
    const bodies = readHeredocs(lines, joined.next, openers, path, start.line);
    result.push({ keyword, text: args, heredocs: bodies.heredocs, start, endLine: bodies.next });
    index = bodies.next;
  }
  return result;
}

function joinContinuations(
  lines: string[],
  first: number,
  continuation: RegExp,
): { text: string; next: number } {
  let text = (lines[first] ?? "").trimStart();
  let index = first + 1;
  let open = continuation.test(text);
  if (open) text = text.replace(continuation, "");

  while (open && index < lines.length) {
    const line = lines[index] ?? "";
    index++;
    const trimmed = line.trimStart();
    if (trimmed.startsWith("#") || trimmed === "") continue;
    open = continuation.test(line);
    text += open ? line.replace(continuation, "") : line;
  }
  return { text, next: index };
}

interface HeredocOpener {
  name: string;
  stripTabs: boolean;
}

/** The heredocs a RUN, COPY or ADD line opens, in order: `<<EOF`, `<<-EOF`, `<<'EOF'`, `<<"EOF"`. */
function heredocOpeners(args: string): HeredocOpener[] {
  const openers: HeredocOpener[] = [];
  for (const word of args.split(/\s+/)) {
    const match = HEREDOC_WORD.exec(word);
    if (!match) continue;
    const name = (match[2] ?? "").replace(/^(["'])(.*)\1$/, "$2");
    if (name === "" || name.includes("<")) continue;
    openers.push({ name, stripTabs: match[1] === "-" });
  }
  return openers;
}

function readHeredocs(
  lines: string[],
  first: number,
  openers: HeredocOpener[],
  path: string,
  startLine: number,
): { heredocs: Heredoc[]; next: number } {
  const heredocs: Heredoc[] = [];
  let index = first;
  for (const opener of openers) {
    let body = "";
    let closed = false;
    while (index < lines.length) {
      const raw = lines[index] ?? "";
      index++;
      const line = opener.stripTabs ? raw.replace(/^\t+/, "") : raw;
      if (line === opener.name) {
        closed = true;
        break;
      }
      body += `${line}\n`;
    }
    if (!closed) {
      throw new DockerfileSyntaxError(
        path,
        startLine,
        `heredoc <<${opener.name} is not closed: no line reads exactly "${opener.name}"`,
        `end the heredoc with a line that holds only ${opener.name}`,
      );
    }
    heredocs.push({ name: opener.name, body });
  }
  return { heredocs, next: index };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
