import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import type { LoadProblem } from "./errors.ts";
import type { FieldPath, Locator } from "./types.ts";

/** A YAML file read with positions kept, so each field can be traced to its line and column. */
export interface YamlFile {
  /** The document as plain data; undefined when the YAML has syntax errors. */
  data: unknown;
  locate: Locator;
  /** Syntax errors, each with its position. */
  problems: LoadProblem[];
}

/** Parses YAML text and builds a locator over its nodes. Syntax errors become load problems. */
export function readYaml(text: string, file: string): YamlFile {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const position = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };

  const locate: Locator = (path) => {
    const offset = findOffset(document.contents as Node | null, path);
    return offset === undefined ? undefined : position(offset);
  };

  const problems = document.errors.map(
    (error): LoadProblem => ({
      file,
      position: position(error.pos[0]),
      message: `YAML syntax: ${firstSentence(error.message)}`,
    }),
  );
  return { data: problems.length > 0 ? undefined : document.toJS(), locate, problems };
}

/**
 * The start offset of the field at `path`: for a key in a mapping, where the key stands; for an
 * item of a list, where the item starts; for the empty path, where the document starts.
 */
function findOffset(root: Node | null, path: FieldPath): number | undefined {
  let node: unknown = root;
  let offset = root?.range?.[0];

  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && keyOf(item.key) === String(segment));
      if (pair === undefined) return undefined;
      offset = (pair.key as Node | null)?.range?.[0];
      node = pair.value;
    } else if (isSeq(node) && typeof segment === "number") {
      const item = node.items[segment] as Node | undefined;
      if (item === undefined) return undefined;
      offset = item.range?.[0];
      node = item;
    } else {
      return undefined;
    }
  }
  return offset;
}

function keyOf(key: unknown): string | undefined {
  return isScalar(key) ? String(key.value) : undefined;
}

/** yaml's messages end with " at line L, column C:" and a code frame; the position is kept apart. */
function firstSentence(message: string): string {
  const firstLine = message.split("\n")[0] ?? message;
  return firstLine.replace(/ at line \d+, column \d+:?$/, "").trim();
}
