import type { Check, Rule } from "../types.ts";
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

/** What `solera explain` names: a rule, or one check of it. */
export interface RuleTarget {
  rule: Rule;
  /** The check, when a check id (`A1.scratch`) was named. */
  check?: Check;
}

/**
 * The rule named by its id (`A1`) or key (`upstream-first`), or the check named by its id
 * (`A1.scratch`, or `upstream-first.scratch`) with its rule; case-insensitive.
 */
export function findRuleOrCheck(name: string): RuleTarget | undefined {
  const wanted = name.trim().toLowerCase();
  const dot = wanted.indexOf(".");
  const head = dot === -1 ? wanted : wanted.slice(0, dot);
  const rule = rules.find((item) => item.id.toLowerCase() === head || item.key === head);
  if (rule === undefined || dot === -1) return rule && { rule };
  const checkId = `${rule.id}${wanted.slice(dot)}`.toLowerCase();
  const check = rule.checks.find((item) => item.id.toLowerCase() === checkId);
  return check && { rule, check };
}
