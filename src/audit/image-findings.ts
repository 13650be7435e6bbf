import type { ImageClass } from "../catalog/schema.ts";
import type { AuditFinding } from "./delta-walker.ts";
import type { UpstreamLocation } from "./find-upstream.ts";
import type { ByteSizes } from "./types.ts";

// The findings about an image as a whole, rather than about one path of a layer.

/** AUDIT.not-extending: the upstream's layers are not a prefix of the image's. */
export function notExtending(upstream: UpstreamLocation, platform: string): AuditFinding {
  return {
    rule: "AUDIT.not-extending",
    severity: "error",
    message: `the ${platform} image does not start with the layers of its upstream ${upstream.reference}@${upstream.digest}, so it does not extend it (built on another base, or the upstream was squashed or rebuilt)`,
    paths: [],
    count: 1,
  };
}

/** AUDIT.zero-delta: the image adds no layer to its upstream. */
export function zeroDelta(upstream: UpstreamLocation): AuditFinding {
  return {
    rule: "AUDIT.zero-delta",
    severity: "error",
    message: `the image adds no layer to ${upstream.reference} (A3: zero-delta images are inadmissible)`,
    paths: [],
    count: 1,
  };
}

/** AUDIT.large-delta: the added layers together exceed the class's threshold. */
export function largeDelta(imageClass: ImageClass, delta: ByteSizes, limit: number): AuditFinding {
  return {
    rule: "AUDIT.large-delta",
    severity: "warning",
    message: `the delta is ${formatBytes(delta.uncompressed)} uncompressed, above the ${formatBytes(limit)} expected of a ${imageClass} image`,
    paths: [],
    count: 1,
  };
}

/** AUDIT.layer-digest: a layer's content does not hash to the diff_id its config names. */
export function layerDigestMismatch(
  layer: number,
  createdBy: string | undefined,
  expected: string,
  actual: string,
): AuditFinding {
  return {
    rule: "AUDIT.layer-digest",
    severity: "error",
    message: `layer ${layer} hashes to ${actual}, but the image config names ${expected}`,
    layer,
    createdBy,
    paths: [],
    count: 1,
  };
}

/** `17.2 MiB`, `812 KiB`, `96 B`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}
