import { execFile, execFileSync } from "node:child_process";

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

/** Like git(), without blocking: for reading git while other work goes on. */
function gitAsync(dir: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile("git", ["-C", dir, ...args], { encoding: "utf8" }, (error, stdout) => {
      resolve(error ? undefined : stdout.trim());
    });
  });
}

const REVISION = ["rev-parse", "HEAD"];
const STATUS = ["status", "--porcelain", "--untracked-files=no"];
const COMMIT_TIME = ["log", "-1", "--format=%ct"];
const ORIGIN = ["remote", "get-url", "origin"];

/**
 * The commit the catalog is built from: `git rev-parse HEAD`, with `-dirty` appended when the
 * working tree has changes, so an image built from uncommitted files says so. Undefined
 * outside a git checkout.
 */
export function readRevision(dir: string): string | undefined {
  const head = git(dir, REVISION);
  return head ? revisionOf(head, git(dir, STATUS)) : undefined;
}

/**
 * The `created` time for labels, RFC 3339 in UTC: `SOURCE_DATE_EPOCH` when set (the
 * reproducible-builds convention), else the commit time of HEAD, else now. Not the wall clock
 * by default, because a label that changes on every run would change the image on every run,
 * and a pinned tag then could never be pushed twice.
 */
export function readCreated(dir: string, env: NodeJS.ProcessEnv = process.env): string {
  return createdOf(env, () => git(dir, COMMIT_TIME));
}

/** The repository's `origin` URL without credentials, for the `source` label. */
export function readSourceUrl(dir: string): string | undefined {
  return sourceOf(git(dir, ORIGIN));
}

/** What the labels take from git: the revision, the `created` time and the source URL. */
export interface GitFacts {
  revision?: string;
  created: string;
  source?: string;
}

/**
 * The facts of readRevision, readCreated and readSourceUrl with the git runs side by side and
 * without blocking, so a build reads them while it loads the catalog and finds its engine.
 */
export async function readGitFacts(
  dir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<GitFacts> {
  // `status --porcelain=v2 --branch` names HEAD's commit (`# branch.oid`) and lists changes in
  // one run; the commit time is not asked for when SOURCE_DATE_EPOCH fixes `created`.
  const fixed = /^\d+$/.test(env.SOURCE_DATE_EPOCH ?? "");
  const [status, committed, origin] = await Promise.all([
    gitAsync(dir, ["status", "--porcelain=v2", "--branch", "--untracked-files=no"]),
    fixed ? undefined : gitAsync(dir, COMMIT_TIME),
    gitAsync(dir, ["config", "--get", "remote.origin.url"]),
  ]);
  const lines = status?.split("\n") ?? [];
  const head = lines.find((line) => line.startsWith("# branch.oid "))?.slice(13);
  const changes = lines.filter((line) => line !== "" && !line.startsWith("#")).join("\n");
  return {
    revision: head && head !== "(initial)" ? revisionOf(head, changes) : undefined,
    created: createdOf(env, () => committed),
    source: sourceOf(origin),
  };
}

function revisionOf(head: string, status: string | undefined): string {
  return status ? `${head}-dirty` : head;
}

function createdOf(env: NodeJS.ProcessEnv, commitTime: () => string | undefined): string {
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch && /^\d+$/.test(epoch)) return new Date(Number(epoch) * 1000).toISOString();

  const committed = commitTime();
  if (committed && /^\d+$/.test(committed)) {
    return new Date(Number(committed) * 1000).toISOString();
  }
  return new Date().toISOString();
}

/**
 * The origin as a URL for the `source` label: http(s), git and ssh URLs with any credentials
 * taken out, scp-like `user@host:path` as `ssh://host/path`; undefined for anything else (a
 * local path says nothing to whoever pulls the image, and may name a private folder).
 */
export function sourceOf(url: string | undefined): string | undefined {
  const text = url?.trim() ?? "";
  if (/^(https?|git|ssh|git\+ssh):\/\/[^/]/i.test(text)) {
    return text.replace(/^([a-z+]+:\/\/)[^@/]*@/i, "$1");
  }
  const scp = /^(?:[^@/:]+@)?([a-z0-9.-]+\.[a-z]{2,}):(?!\/)(.+)$/i.exec(text);
  return scp ? `ssh://${scp[1]}/${scp[2]}` : undefined;
}
