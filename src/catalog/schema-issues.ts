import type { z } from "zod";
import { formatFieldPath, type LoadProblem } from "./errors.ts";
import type { FieldPath, Locator } from "./types.ts";

// Turns zod's issues into load problems that say what was expected in the catalog's own words.
// zod's default messages ("Invalid input: expected string, received number") name JavaScript
// types; a YAML author thinks in strings, lists and mappings.

/** Validates data against a schema; the parsed value, or the problems with their positions. */
export function validate<T>(
  schema: z.ZodType<T>,
  data: unknown,
  file: string,
  locate: Locator,
): { value: T; problems: [] } | { value: undefined; problems: LoadProblem[] } {
  const result = schema.safeParse(data, { reportInput: true });
  if (result.success) return { value: result.data, problems: [] };
  const problems = result.error.issues.flatMap((issue) =>
    toProblems(issue, schema, data, file, locate),
  );
  return { value: undefined, problems };
}

function toProblems(
  issue: z.core.$ZodIssue,
  schema: z.ZodType,
  data: unknown,
  file: string,
  locate: Locator,
): LoadProblem[] {
  const at = (path: FieldPath, message: string): LoadProblem => ({
    file,
    position: nearestPosition(path, locate),
    ...(path.length > 0 ? { field: formatFieldPath(path) } : {}),
    message,
  });
  const path = issue.path.filter(
    (segment): segment is string | number => typeof segment !== "symbol",
  );

  if (issue.code === "unrecognized_keys") {
    const known = Object.keys(shapeAt(schema, path) ?? {}).join(", ");
    return issue.keys.map((key) =>
      at([...path, key], `unknown key "${key}" (expected one of: ${known})`),
    );
  }
  const missing =
    (issue.code === "invalid_type" || issue.code === "invalid_value") &&
    valueAt(data, path) === undefined;
  if (missing) {
    const expected =
      issue.code === "invalid_type" ? describeType(issue.expected) : describeValues(issue.values);
    return [at(path, `required field is missing (expected ${expected})`)];
  }
  return [at(path, describeIssue(issue))];
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const got = describeValue(issue.input);
  switch (issue.code) {
    case "invalid_type":
      return `expected ${describeType(issue.expected)}, got ${got}`;
    case "invalid_value":
      return `expected ${describeValues(issue.values)}, got ${got}`;
    case "too_small":
      return issue.origin === "array"
        ? `expected at least ${issue.minimum} item${issue.minimum === 1 ? "" : "s"}, got ${got}`
        : `expected at least ${issue.minimum} character${issue.minimum === 1 ? "" : "s"}, got ${got}`;
    case "too_big":
      return issue.origin === "array"
        ? `expected at most ${issue.maximum} items, got ${got}`
        : `expected at most ${issue.maximum}, got ${got}`;
    default:
      // Regex, URL and refine failures carry the schema's own "expected …" message.
      return `${issue.message}, got ${got}`;
  }
}

function describeValues(values: readonly unknown[]): string {
  return `one of ${values.map((value) => String(value)).join(", ")}`;
}

function describeType(expected: string): string {
  const words: Record<string, string> = {
    object: "a mapping",
    array: "a list",
    string: "a string",
    number: "a number",
    boolean: "true or false",
    tuple: "a list",
  };
  return words[expected] ?? expected;
}

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return JSON.stringify(value);
  return `${typeof value} ${String(value)}`;
}

/** The position of the field, or of its nearest parent that exists, or the file's start. */
function nearestPosition(path: FieldPath, locate: Locator) {
  for (let length = path.length; length >= 0; length--) {
    const position = locate(path.slice(0, length));
    if (position) return position;
  }
  return { line: 1, column: 1 };
}

function valueAt(data: unknown, path: FieldPath): unknown {
  let value = data;
  for (const segment of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

/** The object shape the schema expects at a path, unwrapping optional, default and list layers. */
function shapeAt(schema: z.ZodType, path: FieldPath): Record<string, unknown> | undefined {
  let def = unwrap(schema._zod.def as SchemaDef);
  for (const segment of path) {
    const next =
      typeof segment === "number" ? (def.element ?? def.items?.[segment]) : def.shape?.[segment];
    if (next === undefined) return undefined;
    def = unwrap(next._zod.def);
  }
  return def.shape;
}

interface SchemaDef {
  type: string;
  shape?: Record<string, { _zod: { def: SchemaDef } }>;
  element?: { _zod: { def: SchemaDef } };
  items?: { _zod: { def: SchemaDef } }[];
  innerType?: { _zod: { def: SchemaDef } };
}

function unwrap(def: SchemaDef): SchemaDef {
  let current = def;
  while (current.innerType !== undefined) current = current.innerType._zod.def;
  return current;
}
