import type { CatalogImage } from "../../catalog/types.ts";
import type { Stage } from "../../dockerfile/types.ts";
import { familiarName, isOfficialImage } from "../../reference/parse.ts";
import { createFinding, dockerfilePlace } from "../finding.ts";
import { finalStage } from "../stages.ts";
import type { Check, Finding, GateContext, Rule } from "../types.ts";
import { classifyTag, stageBase } from "../upstream.ts";

const check = (name: string, title: string, fix: string): Check => ({
  id: `A1.${name}`,
  title,
  severity: "error",
  fix,
});

const NOT_OFFICIAL = check(
  "not-official",
  "every FROM names an official upstream",
  "Base the stage on a Docker Official Image (docker.io/library/…) or add the publisher to officialPublishers in catalog.yaml after reviewing it.",
);
const UNRESOLVED = check(
  "unresolved-arg",
  "a FROM built from ARGs resolves from their defaults",
  "Give the ARG a default before the first FROM, or write the image name out.",
);
const INVALID = check(
  "invalid-reference",
  "a FROM names a well-formed image reference",
  "Write the image as [registry/]repository:tag[@sha256:…].",
);
const SCRATCH = check(
  "scratch",
  "no stage starts from scratch",
  "Start from the official image the delta extends; scratch has no upstream to follow.",
);
const NO_TAG = check(
  "no-tag",
  "every FROM names a tag",
  "Add the upstream's version tag (and a digest if you want it immutable).",
);
const LATEST = check(
  "latest-tag",
  "no FROM uses latest",
  "Replace latest with the upstream's version tag.",
);
const INDIRECT = check(
  "indirect-upstream",
  "an upstream-extension's final stage extends its upstream directly",
  "Write the upstream image in the final stage's FROM and apply the delta there.",
);

/** A1 upstream-first: every stage starts from a pinned official upstream image. */
export const upstreamFirst: Rule = {
  id: "A1",
  key: "upstream-first",
  title: "Upstream First",
  rationale:
    "Every image extends an official upstream, so its base is maintained, patched and recognisable; solera only adds the justified delta.",
  severity: "error",
  fix: "Base every stage on a tagged official image, and let an upstream-extension's final stage FROM it directly.",
  checks: [NOT_OFFICIAL, UNRESOLVED, INVALID, SCRATCH, NO_TAG, LATEST, INDIRECT],
  check({ catalog, image }: GateContext): Finding[] {
    const findings = image.dockerfile.stages.flatMap((stage) =>
      checkStage(image, stage, catalog.officialPublishers ?? []),
    );
    const final = finalStage(image.dockerfile);
    if (image.class === "upstream-extension" && final?.from.stage !== undefined) {
      findings.push(
        createFinding(
          INDIRECT,
          image,
          dockerfilePlace(image, final.from),
          `the final stage starts from build stage "${final.from.stage}", not from the upstream image; an upstream-extension applies its delta directly on the upstream`,
        ),
      );
    }
    return findings;
  },
};

function checkStage(image: CatalogImage, stage: Stage, publishers: string[]): Finding[] {
  const base = stageBase(stage);
  const place = dockerfilePlace(image, stage.from);
  const raw = stage.from.raw;
  switch (base.kind) {
    case "stage":
      return [];
    case "scratch":
      return [createFinding(SCRATCH, image, place, "FROM scratch has no upstream to extend")];
    case "unresolved": {
      const names = base.args.map((name) => `$${name}`).join(", ");
      const message = `FROM ${raw} uses ${names} without a default, so the upstream cannot be read from the Dockerfile`;
      return [createFinding(UNRESOLVED, image, place, message)];
    }
    case "invalid":
      return [createFinding(INVALID, image, place, `FROM ${raw}: ${base.problem}`)];
    case "image":
      break;
  }

  const findings: Finding[] = [];
  const shown = familiarName(base.ref);
  if (!isOfficialImage(base.ref, publishers)) {
    const message = `${shown} is not an official upstream: neither a Docker Official Image nor from a publisher listed in officialPublishers`;
    findings.push(createFinding(NOT_OFFICIAL, image, place, message));
  }
  const kind = classifyTag(base.ref);
  if (kind === "missing") {
    const message = `${shown} names no tag, so it means whatever latest is on the day of the build`;
    findings.push(createFinding(NO_TAG, image, place, message));
  }
  if (kind === "latest") {
    const message = `${shown} uses "latest" in its tag, which moves with every upstream release`;
    findings.push(createFinding(LATEST, image, place, message));
  }
  return findings;
}
