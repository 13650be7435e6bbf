import type { Rule } from "../types.ts";
import { bakedDefaultsVsRuntimeConfig } from "./baked-defaults-vs-runtime-config.ts";
import { classConsistent } from "./class-consistent.ts";
import { deltaOnly } from "./delta-only.ts";
import { noApplicationContent } from "./no-application-content.ts";
import { noSecrets } from "./no-secrets.ts";
import { platformsConsistent } from "./platforms-consistent.ts";
import { runtimeNotBuildtime } from "./runtime-not-buildtime.ts";
import { upstreamFirst } from "./upstream-first.ts";
import { upstreamLagVsControl } from "./upstream-lag-vs-control.ts";

/**
 * Every admission rule, in the order `solera check` runs and `solera explain` lists them:
 * the axioms (A), the tensions (T), the refusals (R), then consistency between image.yaml and
 * the Dockerfile (C).
 */
export const rules: Rule[] = [
  upstreamFirst,
  runtimeNotBuildtime,
  deltaOnly,
  upstreamLagVsControl,
  bakedDefaultsVsRuntimeConfig,
  noApplicationContent,
  noSecrets,
  platformsConsistent,
  classConsistent,
];

/**
 * The rule with an id (`A1`, case-insensitive), or the rule owning a check id (`A1.latest-tag`).
 */
export function findRule(id: string): Rule | undefined {
  const wanted = id.trim().toUpperCase();
  const rule = rules.find((item) => item.id.toUpperCase() === wanted.split(".")[0]);
  if (rule === undefined || !wanted.includes(".")) return rule;
  return rule.checks.some((check) => check.id.toUpperCase() === wanted) ? rule : undefined;
}
