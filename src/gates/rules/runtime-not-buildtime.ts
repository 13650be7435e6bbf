import type { Catalog, CatalogImage } from "../../catalog/types.ts";
import type { Instruction, Stage } from "../../dockerfile/types.ts";
import { familiarName } from "../../reference/parse.ts";
import { createFinding, dockerfilePlace, yamlPlace } from "../finding.ts";
import { keptPackages } from "../packages.ts";
import { commandWords, runScript, splitCommands } from "../shell.ts";
import { finalStage, isStageReference, mountSource } from "../stages.ts";
import {
  isCompilerPackage,
  isDevelopmentPackage,
  isFullVariant,
  toolchainImage,
} from "../toolchains.ts";
import type { Check, Finding, GateContext, Rule } from "../types.ts";
import { catalogImageNamed, readImage, stageBase } from "../upstream.ts";

const check = (name: string, title: string, fix: string, severity: Check["severity"] = "error") =>
  ({ id: `A2.${name}`, title, severity, fix }) satisfies Check;

const TOOLCHAIN = check(
  "toolchain-base",
  "the final stage is not a toolchain image",
  "Build in an earlier stage and copy the result onto a runtime image (debian:bookworm-slim, a -slim or -alpine variant, a jre).",
);
const FULL_VARIANT = check(
  "full-variant",
  "the final stage avoids interpreter variants that carry compilers",
  "Use the -slim or -alpine variant of the interpreter image in the final stage.",
  "warning",
);
const COMPILER = check(
  "compiler-installed",
  "the final stage installs no compiler",
  "Install build tools in a build stage, or remove them in the same RUN that installed them.",
);
const DEV_PACKAGE = check(
  "dev-package-kept",
  "the final stage keeps no development headers",
  "Purge the -dev packages in the RUN that used them and keep only the runtime library.",
  "warning",
);
const WORKLOAD = check(
  "no-workload",
  "every image names the Kubernetes workload that runs it",
  "Set deploy.workload in image.yaml to Deployment, DaemonSet or StatefulSet.",
);
const CATALOG_BASE = check(
  "catalog-image-as-base",
  "no catalog image is a base or build donor of another",
  "Start from the official upstream the other image starts from; catalog images are runtimes, not bases.",
);
const CARGO_CHEF = check(
  "cargo-chef",
  "no cargo-chef pre-cooked dependencies",
  "Build with plain cargo; pre-cooked dependency layers belong to the build catalog, not to runtime images.",
);

/** A2 runtime-not-buildtime: images are runtimes Kubernetes consumes, not build-stage donors. */
export const runtimeNotBuildtime: Rule = {
  id: "A2",
  key: "runtime-not-buildtime",
  title: "Runtime Not Buildtime",
  rationale:
    "solera images are runtime services consumed by Kubernetes, so they carry no toolchain and serve as nobody's build base.",
  severity: "error",
  fix: "Keep compilers in build stages, name the workload, and build from official upstreams only.",
  checks: [TOOLCHAIN, FULL_VARIANT, COMPILER, DEV_PACKAGE, WORKLOAD, CATALOG_BASE, CARGO_CHEF],
  check({ catalog, image }: GateContext): Finding[] {
    const final = finalStage(image.dockerfile);
    const findings = final === undefined ? [] : checkFinalStage(image, final);
    if (!image.deploy?.workload) {
      const message = `${image.name} names no Kubernetes workload, so nothing shows it is a runtime`;
      findings.push(
        createFinding(WORKLOAD, image, yamlPlace(image, ["deploy", "workload"]), message),
      );
    }
    for (const stage of image.dockerfile.stages) {
      findings.push(...checkDonors(catalog, image, stage), ...checkCargoChef(image, stage));
    }
    return findings;
  },
};

function checkFinalStage(image: CatalogImage, stage: Stage): Finding[] {
  const findings: Finding[] = [];
  const base = stageBase(stage);
  const place = dockerfilePlace(image, stage.from);
  if (base.kind === "image") {
    const reason = toolchainImage(base.ref);
    const shown = familiarName(base.ref);
    if (reason !== undefined) {
      const message = `the final stage runs on ${shown}: ${reason}, not a runtime`;
      findings.push(createFinding(TOOLCHAIN, image, place, message));
    } else if (isFullVariant(base.ref)) {
      const message = `the final stage runs on ${shown}, the full variant built on buildpack-deps, which carries gcc and make`;
      findings.push(createFinding(FULL_VARIANT, image, place, message));
    }
  }
  for (const instruction of stage.instructions) {
    if (instruction.keyword === "RUN") findings.push(...checkInstalls(image, instruction));
  }
  return findings;
}

function checkInstalls(image: CatalogImage, instruction: Instruction): Finding[] {
  const script = runScript(instruction);
  const kept = keptPackages(splitCommands(script)).map((item) => item.name);
  if (/sh\.rustup\.rs|rustup-init/.test(script)) kept.push("rustup");
  const place = dockerfilePlace(image, instruction);
  const compilers = [...new Set(kept.filter(isCompilerPackage))];
  const headers = [...new Set(kept.filter(isDevelopmentPackage))];
  const findings: Finding[] = [];
  if (compilers.length > 0) {
    const message = `the final stage installs ${compilers.join(", ")} and keeps ${compilers.length === 1 ? "it" : "them"}: a compiler in a runtime image`;
    findings.push(createFinding(COMPILER, image, place, message));
  }
  if (headers.length > 0) {
    const message = `the final stage keeps the development package${headers.length === 1 ? "" : "s"} ${headers.join(", ")}, which only building needs`;
    findings.push(createFinding(DEV_PACKAGE, image, place, message));
  }
  return findings;
}

/** FROM, COPY --from and RUN --mount=from= naming a catalog image. */
function checkDonors(catalog: Catalog, image: CatalogImage, stage: Stage): Finding[] {
  const uses: { text: string; line: number; how: string }[] = [];
  const base = stageBase(stage);
  if (base.kind === "image")
    uses.push({ text: base.text, line: stage.from.start.line, how: "FROM" });
  for (const instruction of stage.instructions) {
    const source = instruction.flags.from ?? mountSource(instruction);
    if (source === undefined || isStageReference(image.dockerfile, source)) continue;
    const how =
      instruction.flags.from === undefined ? "RUN --mount from=" : `${instruction.keyword} --from=`;
    uses.push({ text: source, line: instruction.start.line, how });
  }

  return uses.flatMap(({ text, line, how }) => {
    const read = readImage(text);
    const donor = read.kind === "image" ? catalogImageNamed(read.ref, catalog) : undefined;
    if (donor === undefined) return [];
    const message = `${how}${how.endsWith("=") ? "" : " "}${text} uses the catalog image ${donor} as a build source; catalog images are runtimes, not bases`;
    return [createFinding(CATALOG_BASE, image, dockerfilePlace(image, line), message)];
  });
}

function checkCargoChef(image: CatalogImage, stage: Stage): Finding[] {
  const findings: Finding[] = [];
  const base = stageBase(stage);
  if (base.kind === "image" && base.ref.repository.endsWith("cargo-chef")) {
    const message = `FROM ${base.text} builds on cargo-chef, which pre-cooks dependency layers`;
    findings.push(createFinding(CARGO_CHEF, image, dockerfilePlace(image, stage.from), message));
  }
  for (const instruction of stage.instructions) {
    const from = instruction.flags.from ?? "";
    const script = instruction.keyword === "RUN" ? runScript(instruction) : "";
    const runsChef = splitCommands(script).some((command) => {
      const words = commandWords(command);
      return (words[0] === "cargo" && words[1] === "chef") || words.includes("cargo-chef");
    });
    if (!runsChef && !from.includes("cargo-chef")) continue;
    const message = runsChef
      ? "RUN uses cargo-chef, which pre-cooks dependency layers"
      : `${instruction.keyword} --from=${from} takes files from cargo-chef, which pre-cooks dependency layers`;
    findings.push(createFinding(CARGO_CHEF, image, dockerfilePlace(image, instruction), message));
  }
  return findings;
}
