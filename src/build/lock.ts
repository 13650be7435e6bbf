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
 * file renamed over it), images sorted by name so the file diffs well.
 */
export async function updateLock(
  path: string,
  entries: Record<string, LockEntry>,
): Promise<LockFile> {
  const lock = await readLock(path);
  const images = { ...lock.images, ...entries };
  const sorted = Object.fromEntries(
    Object.keys(images)
      .sort()
      .map((name) => [name, images[name] as LockEntry]),
  );
  const next: LockFile = { lockVersion: 1, images: sorted };
  await writeFileAtomic(path, `${JSON.stringify(next, null, 2)}\n`);
  return next;
}
