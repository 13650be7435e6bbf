import { open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/**
 * Writes a file so that readers see the old content or the new, never half of it: the text goes
 * to a temporary file in the same folder (rename is atomic only within one file system), is
 * flushed to disk, then renamed over the target. On failure the temporary file is removed and
 * the target is untouched.
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    const handle = await open(temporary, "w", 0o644);
    try {
      await handle.writeFile(text, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new Error(`writing ${path}`, { cause: error });
  }
}
