import type { Catalog, CatalogImage } from "../catalog/types.ts";

/** How much a finding weighs: `error` refuses admission, `warning` and `info` do not. */
export type Severity = "error" | "warning" | "info";

/** One gate's verdict at one place. */
export interface Finding {
  /** Rule id, e.g. `A1` or `A1.latest-tag` (rule id, then a dot and the check). */
  rule: string;
  severity: Severity;
  /** The image the finding is about. */
  image: string;
  /** File the finding points at, relative to the catalog's parent directory (`catalog/images/x/Dockerfile`). */
  file: string;
  /** 1-based line in that file, when there is one. */
  line?: number;
  /** What is wrong, in one sentence. */
  message: string;
  /** What to do about it, in one sentence. */
  fix: string;
}

/** What a rule sees: the whole catalog and the image being judged. */
export interface GateContext {
  catalog: Catalog;
  image: CatalogImage;
}

/** An admission rule: one per file under src/gates/rules. */
export interface Rule {
  /** Short id: `A1`, `A2`, `A3`, `T1`, `T2`, `R1`, `C1`, ... */
  id: string;
  /** The catalog key it enforces: `upstream-first`, `runtime-not-buildtime`, ... */
  key: string;
  title: string;
  /** One line on why the rule exists. */
  rationale: string;
  /** Severity of its findings unless a finding says otherwise. */
  severity: Severity;
  /** General hint printed by `solera explain`. */
  fix: string;
  check(context: GateContext): Finding[];
}
