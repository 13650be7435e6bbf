import { execFileSync } from "node:child_process";

/** Runs git in `dir` and returns its trimmed output, or undefined when git fails there. */
function git(dir: string, args: string[]): string | undefined {
  try {
    return execFileSync("git", ["-C", dir, ...args], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    // Not a git checkout (a catalog copied elsewhere, a tarball): the label is left out.
    return undefined;
  }
}

/**
 * The commit the catalog is built from: `git rev-parse HEAD`, with `-dirty` appended when the
 * working tree has changes, so an image built from uncommitted files says so. Undefined
 * outside a git checkout.
 */
export function readRevision(dir: string): string | undefined {
  const head = git(dir, ["rev-parse", "HEAD"]);
  if (!head) return undefined;

  const status = git(dir, ["status", "--porcelain", "--untracked-files=no"]);
  return status ? `${head}-dirty` : head;
}

/**
 * The `created` time for labels, RFC 3339 in UTC: `SOURCE_DATE_EPOCH` when set (the
 * reproducible-builds convention), else the commit time of HEAD, else now. Not the wall clock
 * by default, because a label that changes on every run would change the image on every run,
 * and a pinned tag then could never be pushed twice.
 */
export function readCreated(dir: string, env: NodeJS.ProcessEnv = process.env): string {
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch && /^\d+$/.test(epoch)) return new Date(Number(epoch) * 1000).toISOString();

  const committed = git(dir, ["log", "-1", "--format=%ct"]);
  if (committed && /^\d+$/.test(committed)) {
    return new Date(Number(committed) * 1000).toISOString();
  }
  return new Date().toISOString();
}

/** The repository's `origin` URL without credentials, for the `source` label. */
export function readSourceUrl(dir: string): string | undefined {
  const url = git(dir, ["remote", "get-url", "origin"]);
  if (!url) return undefined;
  return url.replace(/\/\/[^@/]*@/, "//");
}
