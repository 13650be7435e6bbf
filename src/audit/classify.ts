import type { TarEntryType } from "./tar.ts";

/** How a path of an added layer relates to what lies below it. */
export type ChangeKind = "added" | "changed" | "deleted";

/** One path an added layer adds, changes or deletes, as the classifier sees it. */
export interface LayerChange {
  kind: ChangeKind;
  /** The path without leading `/`; for a deletion, the path the whiteout removes. */
  path: string;
  type: TarEntryType;
  mode: number;
  /**
   * For a deletion: where the deleted path came from. `upstream` when the upstream has it,
   * `delta` when only an earlier added layer had it.
   */
  origin?: "upstream" | "delta";
  /** For a deletion: an opaque directory (`.wh..wh..opq`), hiding everything below it. */
  opaque?: boolean;
}

/** The severity of an audit finding; errors make an image inadmissible. */
export type AuditSeverity = "error" | "warning";

/** The rule ids of the audit. */
export type AuditRuleId =
  | "AUDIT.not-extending"
  | "AUDIT.zero-delta"
  | "AUDIT.layer-digest"
  | "AUDIT.large-delta"
  | "AUDIT.apt-lists"
  | "AUDIT.apt-cache"
  | "AUDIT.docs"
  | "AUDIT.tmp-files"
  | "AUDIT.build-cache"
  | "AUDIT.toolchain"
  | "AUDIT.headers"
  | "AUDIT.setuid"
  | "AUDIT.world-writable"
  | "AUDIT.upstream-deletion"
  | "AUDIT.delta-churn";

/** What the classifier knows of the upstream. */
export interface ClassifyContext {
  /** True when the upstream's dpkg configuration strips this path (path-exclude). */
  stripped(path: string): boolean;
}

/** One rule's verdict on one change. */
export interface RuleHit {
  rule: AuditRuleId;
  severity: AuditSeverity;
  /** What is wrong, without the path (findings group paths by rule and layer). */
  message: string;
}

interface PathRule {
  rule: AuditRuleId;
  severity: AuditSeverity;
  message: string;
  applies(change: LayerChange, context: ClassifyContext): boolean;
}

const present = (change: LayerChange) => change.kind !== "deleted";
const isContent = (change: LayerChange) => change.type !== "directory";

// apt keeps `lock`, `partial/` and `auxfiles/` in its lists directory on an empty cache; the
// official images ship them, and `rm -rf /var/lib/apt/lists/*` followed by any apt call brings
// them back. Everything else there is a downloaded package index.
const APT_LIST_KEEP = /^var\/lib\/apt\/lists\/(lock|partial|auxfiles)$/;
const TOOLCHAIN =
  /^usr\/(local\/)?bin\/(gcc|g\+\+|cc|c\+\+|cpp|clang|clang\+\+|ld|as|rustc|cargo|go)(-[\w.]+)?$|^usr\/bin\/[\w-]+-linux-gnu[\w]*-(gcc|g\+\+|cpp|ld|as)(-[\w.]+)?$/;
// dpkg records each installed package's files in /var/lib/dpkg/info/<package>[:<arch>].list, so
// a development package left installed shows as its .list file in the layer that installed it.
const DEV_PACKAGE = /^var\/lib\/dpkg\/info\/[^/]+-dev(:[a-z0-9]+)?\.list$/;
// Package managers' state and logs: deleting it (`rm -rf /var/lib/apt/lists/*` removes the
// base's empty partial/ directory too) cleans up after the delta; it takes nothing from the
// upstream that a program of it relies on.
const VOLATILE = /^(var\/lib\/apt\/lists|var\/cache\/(apt|debconf)|var\/log|var\/tmp|tmp)\//;
const BUILD_CACHE =
  /^(root|home\/[^/]+)\/(\.npm|\.cache|\.cargo\/registry|\.cargo\/git)\/|^usr\/local\/cargo\/(registry|git)\//;

/**
 * The path rules, in the order their findings are listed. Each looks at one change alone; the
 * image-level rules (not-extending, zero-delta, layer-digest, large-delta) live in the audit.
 */
export const PATH_RULES: readonly PathRule[] = [
  {
    rule: "AUDIT.apt-lists",
    severity: "error",
    message: "apt package lists left in the image (remove /var/lib/apt/lists/* in the same RUN)",
    applies: (c) =>
      present(c) && c.path.startsWith("var/lib/apt/lists/") && !APT_LIST_KEEP.test(c.path),
  },
  {
    rule: "AUDIT.apt-cache",
    severity: "error",
    message: "apt's package cache left in the image (downloaded .deb files or pkgcache.bin)",
    applies: (c) =>
      present(c) &&
      (/^var\/cache\/apt\/[^/]+\.bin$/.test(c.path) ||
        /^var\/cache\/apt\/archives\/.*\.deb$/.test(c.path)),
  },
  {
    rule: "AUDIT.docs",
    severity: "warning",
    message: "documentation the upstream strips (its dpkg path-exclude) was added back",
    applies: (c, context) => present(c) && isContent(c) && context.stripped(c.path),
  },
  {
    rule: "AUDIT.tmp-files",
    severity: "error",
    message: "files left in a temporary directory",
    applies: (c) => present(c) && isContent(c) && /^(var\/)?tmp\//.test(c.path),
  },
  {
    rule: "AUDIT.build-cache",
    severity: "error",
    message: "a package manager's download cache left in the image (npm, pip, cargo)",
    applies: (c) => present(c) && BUILD_CACHE.test(c.path),
  },
  {
    rule: "AUDIT.toolchain",
    severity: "error",
    message: "a compiler or a -dev package left in the runtime image (A2: runtime, not buildtime)",
    applies: (c) =>
      c.kind === "added" && isContent(c) && (TOOLCHAIN.test(c.path) || DEV_PACKAGE.test(c.path)),
  },
  {
    // Some runtime packages ship a header or two (iproute2 installs bpf_elf.h for tc's BPF
    // programs); a whole -dev package is the toolchain rule's error, a stray header a warning.
    rule: "AUDIT.headers",
    severity: "warning",
    message: "C headers added under /usr/include",
    applies: (c) => c.kind === "added" && isContent(c) && c.path.startsWith("usr/include/"),
  },
  {
    rule: "AUDIT.setuid",
    severity: "warning",
    message: "a setuid or setgid file added",
    applies: (c) => present(c) && c.type === "file" && (c.mode & 0o6000) !== 0,
  },
  {
    rule: "AUDIT.world-writable",
    severity: "error",
    message: "a world-writable file or directory added outside /tmp",
    applies: (c) =>
      present(c) &&
      c.type !== "symlink" &&
      (c.mode & 0o002) !== 0 &&
      !(c.type === "directory" && (c.mode & 0o1000) !== 0) &&
      !/^(var\/)?tmp(\/|$)/.test(c.path),
  },
  {
    rule: "AUDIT.upstream-deletion",
    severity: "error",
    message: "the delta deletes upstream content (A3: a delta adds, it does not remove)",
    applies: (c) => c.kind === "deleted" && c.origin === "upstream" && !VOLATILE.test(c.path),
  },
  {
    rule: "AUDIT.delta-churn",
    severity: "warning",
    message:
      "a later layer deletes what an earlier layer of the delta added (the bytes stay in the image)",
    applies: (c) => c.kind === "deleted" && c.origin === "delta",
  },
];

/** The rules one change breaks, in table order. */
export function classifyChange(change: LayerChange, context: ClassifyContext): RuleHit[] {
  return PATH_RULES.filter((rule) => rule.applies(change, context)).map(
    ({ rule, severity, message }) => ({ rule, severity, message }),
  );
}
