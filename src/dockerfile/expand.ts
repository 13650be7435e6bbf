// Build-argument substitution for FROM lines, as BuildKit's shell lexer does it for `$NAME`,
// `${NAME}`, `${NAME:-word}`, `${NAME-word}`, `${NAME:+word}` and `${NAME+word}`. An ARG declared
// without a default is unset. Where BuildKit would substitute an empty string for an unset
// argument, this reports the argument as unresolved instead: a FROM that only builds with
// `--build-arg` is not pinned by the Dockerfile. Nested braces (`${A:-${B}}`) are not
// supported: the word ends at the first `}`.

/** The result of substituting build arguments into a text. */
export interface Expansion {
  value: string;
  /** Names used without a value and without a fallback, in order of first use. */
  unresolved: string[];
}

const NAME = "[A-Za-z_][A-Za-z0-9_]*";
const PATTERN = new RegExp(`\\$\\{(${NAME})(?:(:?[-+])([^}]*))?\\}|\\$(${NAME})`, "g");

/** Substitutes build arguments into text; the escape character before `$` keeps it literal. */
export function expandArgs(
  text: string,
  args: Record<string, string | undefined>,
  escapeChar = "\\",
): Expansion {
  const unresolved: string[] = [];
  const escapedDollar = `${escapeChar}$`;
  const parts = text.split(escapedDollar);

  const expanded = parts.map((part) =>
    part.replace(
      PATTERN,
      (_whole, braced?: string, operator?: string, word?: string, bare?: string) => {
        const name = braced ?? bare ?? "";
        const value = Object.hasOwn(args, name) ? args[name] : undefined;
        const fallback = (): string => {
          const inner = expandArgs(word ?? "", args, escapeChar);
          unresolved.push(...inner.unresolved);
          return inner.value;
        };

        switch (operator) {
          case ":-":
            return value === undefined || value === "" ? fallback() : value;
          case "-":
            return value === undefined ? fallback() : value;
          case ":+":
            return value === undefined || value === "" ? "" : fallback();
          case "+":
            return value === undefined ? "" : fallback();
          default:
            if (value === undefined) unresolved.push(name);
            return value ?? "";
        }
      },
    ),
  );
  return { value: expanded.join("$"), unresolved: [...new Set(unresolved)] };
}
