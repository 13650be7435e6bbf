import { familiarName } from "../../reference/parse.ts";
import { createFinding, dockerfilePlace, yamlPlace } from "../finding.ts";
import type { Check, Finding, GateContext, Rule } from "../types.ts";
import { classifyTag, hasVersion, stageBase } from "../upstream.ts";

// T1 owns floating tags; A1 owns the tags it refuses outright (none, latest). A tag is judged
// by exactly one of the two, so no FROM is reported twice.

const FLOATING: Check = {
  id: "T1.floating-tag",
  title: "FROM tags carry a version or a digest",
  severity: "warning",
  fix: "Pin a versioned tag, or add the digest the tag points at today (tag@sha256:…) and bump it on security releases.",
};
const DIGEST_ONLY: Check = {
  id: "T1.digest-only",
  title: "a digest pin keeps the tag it was taken from",
  severity: "info",
  fix: "Write the tag before the digest (tag@sha256:…) so a reader knows which release is pinned.",
};
const SOURCE_FLOATING: Check = {
  id: "T1.source-floating",
  title: "a from-source image builds a pinned source tag",
  severity: "warning",
  fix: "Set source.tag to a release tag of the upstream project.",
};
const NO_SMOKE: Check = {
  id: "T1.no-smoke-test",
  title: "every image smoke-tests its delta",
  severity: "warning",
  fix: "Add a smoke test to image.yaml that exercises what the delta adds.",
};

/** T1 upstream lag vs control: pin explicitly, bump on security releases, smoke-test the delta. */
export const upstreamLagVsControl: Rule = {
  id: "T1",
  key: "upstream-lag-vs-control",
  title: "Upstream Lag vs Control: pin explicitly",
  rationale:
    "A floating tag takes upstream fixes and breaking changes alike without review; pinning, deliberate bumps and a smoke test keep the upstream's patches without its surprises.",
  severity: "warning",
  fix: "Pin FROM tags to a version or digest, build a tagged source, and smoke-test the delta.",
  checks: [FLOATING, DIGEST_ONLY, SOURCE_FLOATING, NO_SMOKE],
  check({ image }: GateContext): Finding[] {
    const findings: Finding[] = [];
    for (const stage of image.dockerfile.stages) {
      const base = stageBase(stage);
      if (base.kind !== "image") continue;
      const kind = classifyTag(base.ref);
      const place = dockerfilePlace(image, stage.from);
      const shown = familiarName(base.ref);
      if (kind === "floating" && base.ref.digest === undefined) {
        const message = `${shown} floats: its tag names no version, so each build may get a different upstream`;
        findings.push(createFinding(FLOATING, image, place, message));
      }
      if (kind === "digest-only") {
        const message = `${shown} is pinned by digest alone, so nobody can tell which release it is`;
        findings.push(createFinding(DIGEST_ONLY, image, place, message));
      }
    }

    const tag = image.source?.tag;
    if (tag !== undefined && (!hasVersion(tag) || /(^|[-_.])latest($|[-_.])/.test(tag))) {
      const message = `source tag "${tag}" names no version, so the build follows a moving branch`;
      findings.push(
        createFinding(SOURCE_FLOATING, image, yamlPlace(image, ["source", "tag"]), message),
      );
    }
    if ((image.smoke ?? []).length === 0) {
      const message = `${image.name} has no smoke test, so a bumped upstream is not checked against the delta`;
      findings.push(createFinding(NO_SMOKE, image, yamlPlace(image, ["smoke"]), message));
    }
    return findings;
  },
};
