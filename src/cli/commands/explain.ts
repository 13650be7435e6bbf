import type { Command } from "commander";
import { UserError } from "../../errors.ts";
import { findRuleOrCheck, type RuleTarget, rules } from "../../gates/rules/index.ts";
import type { Check, Rule } from "../../gates/types.ts";
import { createOutput } from "../output.ts";

/** `solera explain <rule>`: what a gate or one of its checks checks, why, and how to satisfy it. */
export function registerExplainCommand(program: Command): void {
  program
    .command("explain")
    .description("Explain a gate: its rationale, severity, fix and the checks it runs")
    .argument(
      "<rule>",
      "rule id or key such as A1 or upstream-first, or a check id such as A1.latest-tag",
    )
    .action((id: string, _options: unknown, command: Command) => {
      const options = command.optsWithGlobals();
      const out = createOutput({ json: Boolean(options.json) });
      const target = findRuleOrCheck(id);
      if (target === undefined) throw unknownRule(id);

      if (out.json) out.resultJson(toJson(target));
      else if (target.check) out.result(describeCheck(target.rule, target.check));
      else out.result(describeRule(target.rule));
    });
}

function unknownRule(id: string): UserError {
  const rule = findRuleOrCheck(id.split(".")[0] ?? "")?.rule;
  if (rule !== undefined) {
    return new UserError(`unknown check "${id}" of rule ${rule.id}`, {
      hint: `Name one of its checks: ${rule.checks.map((check) => check.id).join(", ")}.`,
    });
  }
  return new UserError(`unknown rule "${id}"`, {
    hint: `Name one of the rules: ${rules.map((item) => item.id).join(", ")}.`,
  });
}

function toJson({ rule, check }: RuleTarget) {
  const { check: _check, ...description } = rule;
  if (check === undefined) return description;
  const { checks: _checks, ...ruleOnly } = description;
  return { ...check, rule: ruleOnly };
}

function describeCheck(rule: Rule, check: Check): string {
  return [
    `${check.id}: ${check.title}`,
    `  rule: ${rule.id} ${rule.key}: ${rule.title}`,
    `  why: ${rule.rationale}`,
    `  severity: ${check.severity}`,
    `  fix: ${check.fix}`,
  ].join("\n");
}

function describeRule(rule: Rule): string {
  const lines = [
    `${rule.id} ${rule.key}: ${rule.title}`,
    `  why: ${rule.rationale}`,
    `  severity: ${rule.severity}`,
    `  fix: ${rule.fix}`,
    "  checks:",
  ];
  const width = Math.max(...rule.checks.map((check) => check.id.length));
  for (const check of rule.checks) {
    lines.push(`    ${check.id.padEnd(width)}  ${check.severity.padEnd(7)}  ${check.title}`);
  }
  return lines.join("\n");
}
