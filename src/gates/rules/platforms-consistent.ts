import type { CatalogImage } from "../../catalog/types.ts";
import { createFinding, dockerfilePlace, yamlPlace } from "../finding.ts";
import { runScript } from "../shell.ts";
import { finalStage } from "../stages.ts";
import type { Check, Finding, GateContext, Rule } from "../types.ts";

const PINNED: Check = {
  id: "C1.platform-pinned",
  title: "a FROM --platform agrees with the declared platforms",
  severity: "error",
  fix: "Drop the literal --platform from the final stage (or use $TARGETPLATFORM / $BUILDPLATFORM), or declare only that platform.",
};
const BUILD_PINNED: Check = {
  id: "C1.build-platform-pinned",
  title: "build stages run on the builder's platform",
  severity: "warning",
  fix: "Write FROM --platform=$BUILDPLATFORM and cross-compile for $TARGETPLATFORM, so any builder can run the stage.",
};
const UNEXPLAINED: Check = {
  id: "C1.single-platform-unexplained",
  title: "a from-source image built for one platform says so",
  severity: "error",
  fix: "Say in description or delta.adds that the image is built for that platform only, and why.",
};
const HARDCODED: Check = {
  id: "C1.hardcoded-arch",
  title: "RUN commands fetch nothing for an undeclared architecture",
  severity: "warning",
  fix: "Choose the architecture from $TARGETARCH (or dpkg --print-architecture) instead of writing it out.",
};

/** Architecture words and the platform each belongs to. */
const ARCH_WORDS: { platform: string; pattern: RegExp }[] = [
  { platform: "linux/amd64", pattern: /\b(amd64|x86_64|x86-64)\b/ },
  { platform: "linux/arm64", pattern: /\b(arm64|aarch64)\b/ },
];

/** C1 platforms consistent: image.yaml's platforms are what the Dockerfile can build. */
export const platformsConsistent: Rule = {
  id: "C1",
  key: "platforms-consistent",
  title: "Platforms consistent",
  rationale:
    "The declared platforms become the build's platform list and the catalog's promise; a Dockerfile pinned or written for another architecture breaks that promise at build time or, worse, at run time.",
  severity: "error",
  fix: "Make platforms in image.yaml and the Dockerfile's FROM and RUN lines agree.",
  checks: [PINNED, BUILD_PINNED, UNEXPLAINED, HARDCODED],
  check({ image }: GateContext): Finding[] {
    return [...checkPinned(image), ...checkSinglePlatform(image), ...checkHardcoded(image)];
  },
};

function checkPinned(image: CatalogImage): Finding[] {
  const findings: Finding[] = [];
  const declared = image.platforms ?? [];
  const final = finalStage(image.dockerfile);
  for (const stage of image.dockerfile.stages) {
    const platform = stage.from.platform;
    if (platform === undefined || platform.includes("$")) continue;
    const isFinal = stage === final;
    const others = declared.filter((item) => item !== platform);
    if (isFinal && others.length > 0) {
      const message = `the final stage is pinned to ${platform}, so it cannot build ${others.join(", ")} as image.yaml declares`;
      findings.push(createFinding(PINNED, image, dockerfilePlace(image, stage.from), message));
    } else if (!isFinal && !declared.includes(platform)) {
      const message = `build stage pinned to ${platform}, a platform image.yaml does not declare (${declared.join(", ")}); it builds there whatever the target`;
      findings.push(
        createFinding(BUILD_PINNED, image, dockerfilePlace(image, stage.from), message),
      );
    }
  }
  return findings;
}

function checkSinglePlatform(image: CatalogImage): Finding[] {
  const platforms = image.platforms ?? [];
  if (image.class !== "from-source" || platforms.length !== 1) return [];
  const platform = platforms[0] ?? "";
  const arch = platform.split("/")[1] ?? platform;
  const text = [image.description ?? "", ...(image.delta?.adds ?? [])].join("\n").toLowerCase();
  if (text.includes(arch)) return [];
  const message = `${image.name} builds for ${platform} only, but neither its description nor delta.adds says so`;
  return [createFinding(UNEXPLAINED, image, yamlPlace(image, ["platforms"]), message)];
}

function checkHardcoded(image: CatalogImage): Finding[] {
  const declared = new Set(image.platforms ?? []);
  const findings: Finding[] = [];
  for (const stage of image.dockerfile.stages) {
    for (const instruction of stage.instructions) {
      if (instruction.keyword !== "RUN" && instruction.keyword !== "ADD") continue;
      const text = instruction.keyword === "RUN" ? runScript(instruction) : instruction.args;
      const named = ARCH_WORDS.filter(({ pattern }) => pattern.test(text));
      // A script that names several architectures is choosing between them, not hard-coding one.
      if (named.length !== 1) continue;
      const platform = named[0]?.platform ?? "";
      if (declared.has(platform)) continue;
      const message = `${instruction.keyword} names the ${platform} architecture, which image.yaml does not declare`;
      findings.push(createFinding(HARDCODED, image, dockerfilePlace(image, instruction), message));
    }
  }
  return findings;
}
