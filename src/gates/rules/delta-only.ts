import type { CatalogImage } from "../../catalog/types.ts";
import type { Stage } from "../../dockerfile/types.ts";
import { createFinding, dockerfilePlace, yamlPlace } from "../finding.ts";
import { findInstalls } from "../packages.ts";
import { runScript, splitCommands } from "../shell.ts";
import { FILESYSTEM_INSTRUCTIONS, finalStage } from "../stages.ts";
import type { Check, Finding, GateContext, Rule } from "../types.ts";

const ZERO_DELTA: Check = {
  id: "A3.zero-delta",
  title: "the final stage changes the filesystem",
  severity: "error",
  fix: "Add the delta with RUN, COPY or ADD, or drop the image and deploy the upstream with its configuration.",
};
const EMPTY_ADDS: Check = {
  id: "A3.empty-adds",
  title: "delta.adds says what the image adds",
  severity: "error",
  fix: "List in delta.adds what the image adds to its upstream and why.",
};
const REDUNDANT: Check = {
  id: "A3.redundant",
  title: "nothing the upstream provides is installed again",
  severity: "error",
  fix: "Remove the install: the upstream already provides it, and its release cadence maintains it.",
};

/** A3 delta-only: each image adds exactly what the upstream lacks, and something. */
export const deltaOnly: Rule = {
  id: "A3",
  key: "delta-only",
  title: "Delta Only",
  rationale:
    "An image earns its place by the delta it adds: a zero delta is the upstream under another name, and reinstalling what upstream provides forks its maintenance.",
  severity: "error",
  fix: "Add exactly what the upstream lacks, and say so in delta.adds.",
  checks: [ZERO_DELTA, EMPTY_ADDS, REDUNDANT],
  check({ image }: GateContext): Finding[] {
    const findings: Finding[] = [];
    const final = finalStage(image.dockerfile);
    if (
      final !== undefined &&
      !final.instructions.some((i) => FILESYSTEM_INSTRUCTIONS.has(i.keyword))
    ) {
      const keywords = [...new Set(final.instructions.map((i) => i.keyword))];
      const only = keywords.length === 0 ? "nothing" : `only ${keywords.join(", ")}`;
      const message = `the final stage sets ${only} and changes no file, a zero delta over its base`;
      findings.push(createFinding(ZERO_DELTA, image, dockerfilePlace(image, final.from), message));
    }
    if ((image.delta?.adds ?? []).length === 0) {
      const message = `delta.adds is empty, so ${image.name} claims to add nothing to its upstream`;
      findings.push(createFinding(EMPTY_ADDS, image, yamlPlace(image, ["delta", "adds"]), message));
    }
    if (final !== undefined) findings.push(...checkRedundant(image, final));
    return findings;
  },
};

/**
 * The leading name of each `provides` entry (`gd+avif+webp+freetype` → `gd`, `imagick` →
 * `imagick`, `libssl3 (runtime)` → `libssl3`), lower-cased, with the entry's index.
 */
export function providedNames(provides: string[]): Map<string, number> {
  const names = new Map<string, number>();
  provides.forEach((entry, index) => {
    const match = /^[A-Za-z0-9][A-Za-z0-9._-]*/.exec(entry.trim());
    if (match) names.set(match[0].toLowerCase().replace(/[.:]$/, ""), index);
  });
  return names;
}

function checkRedundant(image: CatalogImage, stage: Stage): Finding[] {
  const provided = providedNames(image.delta?.provides ?? []);
  if (provided.size === 0) return [];
  const findings: Finding[] = [];
  for (const instruction of stage.instructions) {
    if (instruction.keyword !== "RUN") continue;
    const installs = findInstalls(splitCommands(runScript(instruction)));
    const seen = new Set<string>();
    for (const item of installs) {
      const index = provided.get(item.name);
      if (index === undefined || seen.has(item.name)) continue;
      seen.add(item.name);
      const entry = image.delta.provides[index];
      const message = `RUN installs ${item.name} again (${item.manager}), but the upstream already provides it: "${entry}"`;
      findings.push(createFinding(REDUNDANT, image, dockerfilePlace(image, instruction), message));
    }
  }
  return findings;
}
