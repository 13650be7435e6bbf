import type { AuditFinding } from "./delta-walker.ts";

/** Compressed (as stored in the registry) and uncompressed (tar stream) byte counts. */
export interface ByteSizes {
  compressed: number;
  uncompressed: number;
}

/** One layer the image adds on top of its upstream. */
export interface AddedLayer {
  /** Position among the image's layers (0-based, the upstream's first). */
  index: number;
  digest: string;
  diffId: string;
  /** The history entry that made it, shortened (`RUN apt-get ...`). */
  createdBy: string;
  size: ByteSizes;
  /** Files (not directories) it adds, changes, and paths it deletes. */
  added: number;
  changed: number;
  deleted: number;
}

/** The audit of one platform of an image. */
export interface PlatformAudit {
  platform: string;
  /** The platform manifest's digest of the image. */
  digest: string;
  /** The upstream's platform manifest digest. */
  upstreamDigest: string;
  /** Number of layers the upstream has, and their total size. */
  upstreamLayers: number;
  upstreamSize: ByteSizes;
  layers: AddedLayer[];
  /** All added layers together. */
  delta: ByteSizes;
  /** delta / upstream, per measure (0 when the upstream size is unknown). */
  ratio: { compressed: number; uncompressed: number };
  /** Files added by top-level directory: `{ usr: 120, etc: 4 }`. */
  addedByTopDir: Record<string, number>;
  findings: AuditFinding[];
}

/** The audit of one catalog image across its pushed platforms. */
export interface ImageAudit {
  name: string;
  /** What was audited: `<registry>/<name>:<version>`. */
  reference: string;
  /** The digest the tag names (index or manifest). */
  digest: string;
  /** The final stage's upstream as the image's labels (or its Dockerfile) name it. */
  upstream: { reference: string; digest: string; source: string };
  platforms: PlatformAudit[];
  /** False when any platform has a finding at error level. */
  admissible: boolean;
}

/** The audit of the selected images. */
export interface AuditReport {
  images: ImageAudit[];
  /** Images left out with --skip-unavailable, because they are not pushed to the registry. */
  skipped: { name: string; reason: string }[];
  admissible: boolean;
}
