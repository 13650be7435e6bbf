import { UserError } from "../errors.ts";

// Argument helpers that several commands share; each command's own checks stay in its file.

/** Throws a usage error unless exactly one of image names and --all is given. */
export function checkSelection(names: string[], all: boolean | undefined, verb: string): void {
  if (names.length === 0 && !all) {
    throw new UserError(`name the images to ${verb}, or pass --all`, {
      hint: `solera ${verb} fip-alias-agent, or solera ${verb} --all`,
    });
  }
  if (names.length > 0 && all) {
    throw new UserError(`pass image names or --all, not both`, { hint: `solera ${verb} --all` });
  }
}

/**
 * Reads a positive number of seconds given to `flag`. Without this check `--timeout abc` became
 * a NaN time limit, which Node's timers treat as 1 ms: every smoke test "timed out".
 */
export function parseSeconds(value: string, flag: string): number {
  const seconds = Number(value);
  if (value.trim() === "" || !Number.isFinite(seconds) || seconds <= 0) {
    throw new UserError(`${flag} takes a positive number of seconds, not "${value}"`, {
      hint: `${flag} 120`,
    });
  }
  // Node's timers hold at most 2^31-1 ms (about 24.8 days) and fire after 1 ms beyond that.
  if (seconds > MAX_SECONDS) {
    throw new UserError(`${flag} takes at most ${MAX_SECONDS} seconds (a day), not "${value}"`, {
      hint: `${flag} 120`,
    });
  }
  return seconds;
}

const MAX_SECONDS = 86_400;

/** Splits `a,b` and repeated values into a list; undefined when absent. */
export function splitList(value: string | string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const items = (Array.isArray(value) ? value : [value]).flatMap((item) => item.split(","));
  return items.map((item) => item.trim()).filter(Boolean);
}

/** The help text of `--secret`, shared by build, push and plan. */
export const SECRET_HELP =
  "build secret in BuildKit's syntax, repeatable: id=<id>,src=<file> or id=<id>,env=<VAR>";

/** Collects a repeatable option's values in order. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
