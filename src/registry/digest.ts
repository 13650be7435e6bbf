import { createHash } from "node:crypto";

const ALGORITHMS: Record<string, string> = { sha256: "sha256", sha512: "sha512" };

/** The digest of bytes, `sha256:<hex>` by default, or with the algorithm of `like` (`sha512:…`). */
export function computeDigest(bytes: Uint8Array, like?: string): string {
  const algorithm = like === undefined ? "sha256" : (like.split(":")[0] ?? "sha256");
  const hash = ALGORITHMS[algorithm];
  if (hash === undefined) throw new Error(`digest algorithm ${algorithm} is not supported`);
  return `${algorithm}:${createHash(hash).update(bytes).digest("hex")}`;
}
