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

/** One distinct check of a rule; its findings carry `<rule>.<check>` as their rule id. */
export interface Check {
  /** Full id, e.g. `A1.latest-tag`. */
  id: string;
  title: string;
  severity: Severity;
  /** What to do when the check fails, in one sentence. */
  fix: string;
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
  /** The distinct checks the rule runs, listed by `solera explain`. */
  checks: Check[];
  check(context: GateContext): Finding[];
}
