import type { CatalogImage } from "../../catalog/types.ts";
import { expandArgs } from "../../dockerfile/expand.ts";
import type { Stage } from "../../dockerfile/types.ts";
import { createFinding, dockerfilePlace, yamlPlace } from "../finding.ts";
import { runScript } from "../shell.ts";
import { assignments, buildStages, finalStage } from "../stages.ts";
import type { Check, Finding, GateContext, Rule } from "../types.ts";

const check = (name: string, title: string, fix: string): Check => ({
  id: `C2.${name}`,
  title,
  severity: "error",
  fix,
});

const SOURCE_MISSING = check(
  "source-missing",
  "a from-source image names its source",
  "Add source: { repository, tag } to image.yaml.",
);
const SOURCE_UNEXPECTED = check(
  "source-unexpected",
  "only from-source images name a source",
  "Remove source from image.yaml, or make the image from-source if it builds one.",
);
const NO_BUILD_STAGE = check(
  "no-build-stage",
  "a from-source image has a build stage and a runtime stage",
  "Build in a stage on the toolchain image and copy the result into a final stage on a runtime image.",
);
const SAME_BASE = check(
  "runs-on-build-image",
  "a from-source image runs on another image than it builds on",
  "Base the final stage on a runtime image, not on the image the build stage compiles in.",
);
const OUTPUT_UNUSED = check(
  "build-output-unused",
  "the final stage of a from-source image copies the build's output",
  "COPY --from=<build stage> the built artefact into the final stage.",
);
const SOURCE_NOT_BUILT = check(
  "source-not-built",
  "the Dockerfile builds the source image.yaml names",
  "Fetch source.repository at source.tag in the build stage (an ARG default may carry the tag).",
);

/** C2 class consistent: the class in image.yaml matches the Dockerfile's stages. */
export const classConsistent: Rule = {
  id: "C2",
  key: "class-consistent",
  title: "Class consistent",
  rationale:
    "The class tells readers and tools how an image relates to its upstream; an upstream-extension extends one image, a from-source image builds a named source and runs it elsewhere.",
  severity: "error",
  fix: "Make the class, source and the Dockerfile's stages describe the same build.",
  checks: [
    SOURCE_MISSING,
    SOURCE_UNEXPECTED,
    NO_BUILD_STAGE,
    SAME_BASE,
    OUTPUT_UNUSED,
    SOURCE_NOT_BUILT,
  ],
  check({ image }: GateContext): Finding[] {
    if (image.class === "upstream-extension") {
      if (image.source === undefined) return [];
      const message = `${image.name} is an upstream-extension but names a source to build`;
      return [createFinding(SOURCE_UNEXPECTED, image, yamlPlace(image, ["source"]), message)];
    }
    if (image.class !== "from-source") return [];

    const findings = checkStages(image);
    if (image.source === undefined) {
      const message = `${image.name} is from-source but image.yaml names no source`;
      findings.push(createFinding(SOURCE_MISSING, image, yamlPlace(image, ["class"]), message));
    } else {
      findings.push(...checkSourceBuilt(image));
    }
    return findings;
  },
};

function checkStages(image: CatalogImage): Finding[] {
  const final = finalStage(image.dockerfile);
  const builds = buildStages(image.dockerfile);
  if (final === undefined) return [];
  const place = dockerfilePlace(image, final.from);
  if (builds.length === 0) {
    const message = `${image.name} is from-source but its Dockerfile has a single stage, so the build tools stay in the runtime`;
    return [createFinding(NO_BUILD_STAGE, image, place, message)];
  }

  const findings: Finding[] = [];
  const donors = copiedStages(final, builds);
  if (donors.length === 0) {
    const message =
      "the final stage copies nothing from a build stage, so the built source never reaches the runtime";
    findings.push(createFinding(OUTPUT_UNUSED, image, place, message));
  }
  const finalBase = final.from.resolved;
  const sameBase = donors.find((stage) => rootImage(builds, stage) === finalBase);
  if (finalBase !== undefined && final.from.stage === undefined && sameBase !== undefined) {
    const message = `the final stage runs on ${finalBase}, the same image build stage "${sameBase.name ?? sameBase.index}" compiles in`;
    findings.push(createFinding(SAME_BASE, image, place, message));
  }
  return findings;
}

/** The build stages the final stage copies from (by name or index). */
function copiedStages(final: Stage, builds: Stage[]): Stage[] {
  const sources = final.instructions
    .map((instruction) => instruction.flags.from?.toLowerCase())
    .filter((value): value is string => value !== undefined);
  return builds.filter(
    (stage) => sources.includes(stage.name ?? "") || sources.includes(String(stage.index)),
  );
}

/** The image a stage ultimately starts from, following FROM <stage> chains. */
function rootImage(stages: Stage[], stage: Stage): string | undefined {
  let current: Stage | undefined = stage;
  for (let hops = 0; current?.from.stage !== undefined && hops < stages.length; hops++) {
    const name: string = current.from.stage;
    current = stages.find((candidate) => candidate.name === name);
  }
  return current?.from.resolved;
}

function checkSourceBuilt(image: CatalogImage): Finding[] {
  const source = image.source;
  if (source === undefined) return [];
  const text = dockerfileText(image);
  const repository = source.repository.replace(/\.git$/, "").replace(/\/+$/, "");
  const missing: string[] = [];
  if (!text.includes(repository)) missing.push(`repository ${repository}`);
  if (!text.includes(source.tag)) missing.push(`tag ${source.tag}`);
  if (missing.length === 0) return [];
  const message = `image.yaml names source ${missing.join(" and ")}, but the Dockerfile never fetches ${missing.length === 1 ? "it" : "them"}`;
  return [createFinding(SOURCE_NOT_BUILT, image, yamlPlace(image, ["source"]), message)];
}

/** The Dockerfile's instructions with ARG defaults substituted, as one text to search. */
function dockerfileText(image: CatalogImage): string {
  const args: Record<string, string | undefined> = { ...image.dockerfile.globalArgs };
  const parts: string[] = [];
  for (const stage of image.dockerfile.stages) {
    for (const instruction of stage.instructions) {
      if (instruction.keyword === "ARG" || instruction.keyword === "ENV") {
        for (const { name, value } of assignments(instruction)) {
          args[name] = value === undefined ? args[name] : expandArgs(value, args).value;
        }
      }
      const text = instruction.keyword === "RUN" ? runScript(instruction) : instruction.args;
      parts.push(expandArgs(text, args).value);
    }
  }
  return parts.join("\n");
}
