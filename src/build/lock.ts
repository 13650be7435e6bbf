import { readFile } from "node:fs/promises";
import { UserError } from "../errors.ts";
import { writeFileAtomic } from "./atomic-write.ts";
import type { LockEntry, LockFile } from "./types.ts";

/** An empty lock, for a catalog that was never pushed. */
export function emptyLock(): LockFile {
  return { lockVersion: 1, images: {} };
}

/** Reads the lock file; an absent file is an empty lock, an unreadable one a UserError. */
export async function readLock(path: string): Promise<LockFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return emptyLock();
    throw new Error(`reading the lock ${path}`, { cause: error });
  }

  const parsed = parseJson(text, path) as Partial<LockFile>;
  const version = (parsed as { lockVersion?: unknown }).lockVersion;
  if (typeof version === "number" && Number.isInteger(version) && version > 1) {
    throw new UserError(
      `the lock ${path} was written by a newer solera (lock version ${version}; this solera reads 1)`,
      { hint: "update solera, or pass --lock <file> to write another lock" },
    );
  }
  if (parsed.lockVersion !== 1 || typeof parsed.images !== "object" || parsed.images === null) {
    throw new UserError(`the lock ${path} is not a solera lock (lockVersion 1 with images)`, {
      hint: "the lock is written by solera push only; restore it from version control",
    });
  }
  return parsed as LockFile;
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new UserError(`the lock ${path} is not valid JSON`, {
      cause,
      hint: "the lock is written by solera push only; restore it from version control",
    });
  }
}

/**
 * Writes the lock with the given entries merged over the previous ones, atomically (a temporary
 * file renamed over it), images sorted by name so the file diffs well. An entry whose digests
 * are those already recorded keeps the recorded one, `pushedAt` included, and a lock that would
 * come out the same is not written at all, so a run that changed nothing leaves no diff.
 * Resolves to true when the file was written.
 */
export async function updateLock(
  path: string,
  entries: Record<string, LockEntry>,
): Promise<boolean> {
  const lock = await readLock(path);
  const images: Record<string, LockEntry> = { ...lock.images };
  for (const [name, entry] of Object.entries(entries)) {
    const previous = lock.images[name];
    if (!previous || !sameRecord(previous, entry)) images[name] = entry;
  }
  const sorted = Object.fromEntries(
    Object.keys(images)
      .sort()
      .map((name) => [name, images[name] as LockEntry]),
  );
  const text = `${JSON.stringify({ lockVersion: 1, images: sorted }, null, 2)}\n`;
  if (text === (await readFile(path, "utf8").catch(() => undefined))) return false;
  await writeFileAtomic(path, text);
  return true;
}

/** Whether two entries record the same push, `pushedAt` aside. */
function sameRecord(a: LockEntry, b: LockEntry): boolean {
  const { pushedAt: _a, ...left } = a;
  const { pushedAt: _b, ...right } = b;
  return canonical(left) === canonical(right);
}

/** JSON with object keys sorted at every level, so key order does not count as a difference. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const keys = Object.keys(value).sort();
    const record = value as Record<string, unknown>;
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical(record[key])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
