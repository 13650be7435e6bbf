import {
  type AuditRuleId,
  type AuditSeverity,
  classifyChange,
  type LayerChange,
} from "./classify.ts";
import type { TarEntry } from "./tar.ts";
import { readWhiteout, type UpstreamTree } from "./upstream-tree.ts";

/** How many paths a finding lists; the rest are counted. */
export const FINDING_PATH_CAP = 10;
/** How many delta paths are remembered to tell churn from upstream deletions. */
const DELTA_PATH_CAP = 200_000;

/** One rule broken in one added layer: the paths (capped) and how many there were. */
export interface AuditFinding {
  rule: AuditRuleId;
  severity: AuditSeverity;
  message: string;
  /** Position of the layer in the image (0-based, counting the upstream's layers). */
  layer?: number;
  /** The layer's history entry (`RUN ...`), when known. */
  createdBy?: string;
  /** Up to FINDING_PATH_CAP paths, with a leading `/`. */
  paths: string[];
  /** How many paths broke the rule in this layer. */
  count: number;
}

/** Counts of one added layer's changes (directories are not counted as files). */
export interface ChangeTally {
  added: number;
  changed: number;
  deleted: number;
}

/**
 * Walks the entries of the added layers in order, telling for each path whether it is added,
 * changed or deleted relative to the upstream tree and the earlier added layers, and groups
 * the classifier's hits into findings by rule and layer. Keeps counts, the findings' first
 * paths, and the paths the delta added (capped), never file content.
 */
export class DeltaWalker {
  readonly #upstream: UpstreamTree;
  /** Paths the delta added, with the layer that added them. */
  readonly #deltaPaths = new Map<string, number>();
  readonly #findings = new Map<string, AuditFinding>();
  /** Files added, by top-level directory (`usr`, `etc`, ...), over all added layers. */
  readonly addedByTopDir: Record<string, number> = {};
  #layer?: { index: number; createdBy?: string; tally: ChangeTally };

  constructor(upstream: UpstreamTree) {
    this.#upstream = upstream;
  }

  /** Starts the next added layer; returns its tally, filled as its entries arrive. */
  startLayer(index: number, createdBy?: string): ChangeTally {
    const tally = { added: 0, changed: 0, deleted: 0 };
    this.#layer = { index, createdBy, tally };
    return tally;
  }

  /** Takes one entry of the current added layer. */
  onEntry(entry: TarEntry): void {
    const change = this.#toChange(entry);
    const tally = this.#layer?.tally;
    if (tally && change.type !== "directory") tally[change.kind] += 1;
    if (change.kind === "added" && change.type !== "directory") {
      const top = change.path.split("/")[0] ?? "";
      this.addedByTopDir[top] = (this.addedByTopDir[top] ?? 0) + 1;
    }
    for (const hit of classifyChange(change, this.#upstream)) this.#record(hit, change.path);
  }

  /** Adds a finding that concerns the image rather than one path. */
  addFinding(finding: AuditFinding): void {
    this.#findings.set(`${finding.rule}\u0000${this.#findings.size}`, finding);
  }

  /** The findings so far: errors first, then by layer, then by rule id. */
  findings(): AuditFinding[] {
    const rank = (finding: AuditFinding) => (finding.severity === "error" ? 0 : 1);
    return [...this.#findings.values()].sort(
      (a, b) =>
        rank(a) - rank(b) || (a.layer ?? -1) - (b.layer ?? -1) || a.rule.localeCompare(b.rule),
    );
  }

  #toChange(entry: TarEntry): LayerChange {
    const whiteout = readWhiteout(entry.path);
    if (whiteout) {
      const { path, opaque } = whiteout;
      const fromUpstream = opaque ? this.#upstream.hasBelow(path) : this.#upstream.paths.has(path);
      const origin = fromUpstream ? "upstream" : this.#fromEarlierLayer(path, opaque);
      if (!opaque) this.#deltaPaths.delete(path);
      return { kind: "deleted", path, type: "other", mode: 0, origin, opaque };
    }

    const below = this.#upstream.paths.has(entry.path);
    if (!below && this.#deltaPaths.size < DELTA_PATH_CAP) {
      this.#deltaPaths.set(entry.path, this.#layer?.index ?? 0);
    }
    const kind = below ? "changed" : "added";
    return { kind, path: entry.path, type: entry.type, mode: entry.mode };
  }

  /**
   * "delta" when an earlier added layer added the path (or, for an opaque directory, something
   * below it). BuildKit marks every directory a layer creates as opaque, so the current layer's
   * own paths do not count.
   */
  #fromEarlierLayer(path: string, opaque: boolean): "delta" | undefined {
    const current = this.#layer?.index ?? 0;
    const earlier = (layer: number | undefined) => layer !== undefined && layer < current;
    if (!opaque) return earlier(this.#deltaPaths.get(path)) ? "delta" : undefined;
    const prefix = `${path}/`;
    for (const [candidate, layer] of this.#deltaPaths) {
      if (earlier(layer) && candidate.startsWith(prefix)) return "delta";
    }
    return undefined;
  }

  #record(hit: { rule: AuditRuleId; severity: AuditSeverity; message: string }, path: string) {
    const layer = this.#layer;
    const key = `${hit.rule}\u0000${layer?.index ?? ""}`;
    let finding = this.#findings.get(key);
    if (!finding) {
      finding = { ...hit, layer: layer?.index, createdBy: layer?.createdBy, paths: [], count: 0 };
      this.#findings.set(key, finding);
    }
    finding.count += 1;
    if (finding.paths.length < FINDING_PATH_CAP) finding.paths.push(`/${path}`);
  }
}
