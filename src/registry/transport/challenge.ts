/** One authentication challenge from a `WWW-Authenticate` header. */
export interface Challenge {
  /** The scheme, lower-cased: `basic` or `bearer` (others are kept but not used). */
  scheme: string;
  /** The parameters, names lower-cased: realm, service, scope, error. */
  parameters: Record<string, string>;
}

// RFC 7235: a header may hold several challenges separated by commas, and parameter values may
// be quoted strings that contain commas themselves (a scope like `repository:a:pull,push`).
// So the header is read token by token rather than split on commas.

const TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+/;

/** Parses a `WWW-Authenticate` header into its challenges; an empty or absent header gives none. */
export function parseChallenges(header: string | null | undefined): Challenge[] {
  const challenges: Challenge[] = [];
  let rest = (header ?? "").trim();

  while (rest !== "") {
    const scheme = TOKEN.exec(rest)?.[0];
    if (scheme === undefined) break;
    rest = rest.slice(scheme.length).trimStart();
    const challenge: Challenge = { scheme: scheme.toLowerCase(), parameters: {} };
    challenges.push(challenge);
    rest = readParameters(rest, challenge.parameters);
  }

  return challenges;
}

/** Reads `name=value` pairs until the next challenge's scheme; returns what is left. */
function readParameters(text: string, into: Record<string, string>): string {
  let rest = text;
  while (rest !== "") {
    const pair = /^([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*=\s*/.exec(rest);
    if (pair === null) return rest;
    const name = (pair[1] ?? "").toLowerCase();
    rest = rest.slice(pair[0].length);

    const { value, remaining } = rest.startsWith('"') ? readQuoted(rest) : readToken(rest);
    into[name] = value;
    rest = remaining.replace(/^\s*,\s*/, "");
  }
  return rest;
}

function readQuoted(text: string): { value: string; remaining: string } {
  let value = "";
  let index = 1;
  while (index < text.length && text[index] !== '"') {
    if (text[index] === "\\" && index + 1 < text.length) index++;
    value += text[index];
    index++;
  }
  return { value, remaining: text.slice(index + 1).trimStart() };
}

function readToken(text: string): { value: string; remaining: string } {
  const match = /^[^\s,]*/.exec(text)?.[0] ?? "";
  return { value: match, remaining: text.slice(match.length).trimStart() };
}
