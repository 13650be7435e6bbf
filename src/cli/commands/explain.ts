import type { Command } from "commander";
import { UserError } from "../../errors.ts";
import { findRule, rules } from "../../gates/rules/index.ts";
import type { Rule } from "../../gates/types.ts";
import { createOutput } from "../output.ts";

/** `solera explain <rule>`: what a gate checks, why, and how to satisfy it. */
export function registerExplainCommand(program: Command): void {
  program
    .command("explain")
    .description("Explain a gate: its rationale, severity, fix and the checks it runs")
    .argument("<rule>", "rule id such as A1, or a check id such as A1.latest-tag")
    .action((id: string, _options: unknown, command: Command) => {
      const options = command.optsWithGlobals();
      const out = createOutput({ json: Boolean(options.json) });
      const rule = findRule(id);
      if (rule === undefined) {
        throw new UserError(`unknown rule "${id}"`, {
          hint: `Name one of the rules: ${rules.map((item) => item.id).join(", ")}.`,
        });
      }

      const { check: _check, ...description } = rule;
      if (out.json) out.resultJson(description);
      else out.result(describeRule(rule));
    });
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
