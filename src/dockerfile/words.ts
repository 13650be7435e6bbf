// How BuildKit reads the arguments of one instruction: leading `--name=value` flags, then either
// exec form (a JSON array of strings) or shell form (words).

/**
 * Splits text into words at unquoted blanks. Quotes group and are removed; the escape character
 * keeps the next character literal outside single quotes, as a POSIX shell would.
 */
export function splitWords(text: string, escapeChar = "\\"): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: string | undefined;

  for (let index = 0; index < text.length; index++) {
    const char = text.charAt(index);
    if (quote === undefined && /\s/.test(char)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
      continue;
    }

    inWord = true;
    if (char === escapeChar && quote !== "'" && index + 1 < text.length) {
      index++;
      word += text.charAt(index);
    } else if (quote === undefined && (char === '"' || char === "'")) {
      quote = char;
    } else if (char === quote) {
      quote = undefined;
    } else {
      word += char;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** Flags at the start of the arguments and the text after them. */
export interface FlagSplit {
  flags: Record<string, string>;
  rest: string;
}

/**
 * Takes the leading `--name=value` and `--name` words off the arguments. A bare flag such as
 * `--link` has the value `true`, as BuildKit reads it. When a flag repeats (`--mount`), the last
 * one is kept: the record holds one value per name.
 */
export function extractFlags(args: string): FlagSplit {
  const flags: Record<string, string> = {};
  let rest = args;
  for (;;) {
    const match = /^--([A-Za-z][A-Za-z0-9-]*)(?:=("[^"]*"|'[^']*'|\S*))?(?:\s+|$)/.exec(rest);
    if (!match) break;
    const name = match[1] ?? "";
    const value = match[2];
    flags[name] = value === undefined ? "true" : value.replace(/^(["'])(.*)\1$/, "$2");
    rest = rest.slice(match[0].length);
  }
  return { flags, rest: rest.trim() };
}

/** The strings of a JSON array (`["a", "b"]`), or undefined when the text is not one. */
export function parseExecForm(text: string): string[] | undefined {
  if (!text.startsWith("[")) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (Array.isArray(value) && value.every((item) => typeof item === "string")) return value;
  } catch {
    // BuildKit falls back to shell form when the text is not valid JSON.
  }
  return undefined;
}
