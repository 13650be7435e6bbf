import { findImages } from "../catalog/find.ts";
import type { Catalog, CatalogImage } from "../catalog/types.ts";
import { describeError } from "../errors.ts";
import { rules as defaultRules } from "./rules/index.ts";
import type { Finding, Rule, Severity } from "./types.ts";

/** The verdict on one image. */
export interface ImageVerdict {
  name: string;
  /** True when no finding is at error level. */
  admissible: boolean;
  findings: Finding[];
}

/** The verdicts of one `solera check`. */
export interface GateReport {
  images: ImageVerdict[];
  /** True when every image checked is admissible. */
  admissible: boolean;
}

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/**
 * Runs every rule over the named images (all images when none are named) and returns a verdict
 * per image. An unknown name is a UserError listing the known ones. A rule that throws is a bug;
 * it becomes an error finding on the image rather than stopping the check of the others.
 */
export function runGates(
  catalog: Catalog,
  names?: string[],
  rules: Rule[] = defaultRules,
): GateReport {
  const images = findImages(catalog, names);
  const verdicts = images.map((image) => judgeImage(catalog, image, rules));
  return { images: verdicts, admissible: verdicts.every((verdict) => verdict.admissible) };
}

function judgeImage(catalog: Catalog, image: CatalogImage, rules: Rule[]): ImageVerdict {
  const findings = rules.flatMap((rule) => runRule(rule, catalog, image));
  findings.sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      a.file.localeCompare(b.file) ||
      (a.line ?? 0) - (b.line ?? 0),
  );
  return {
    name: image.name,
    admissible: findings.every((finding) => finding.severity !== "error"),
    findings,
  };
}

function runRule(rule: Rule, catalog: Catalog, image: CatalogImage): Finding[] {
  try {
    return rule.check({ catalog, image });
  } catch (error) {
    return [
      {
        rule: rule.id,
        severity: "error",
        image: image.name,
        file: image.file,
        message: `rule ${rule.id} failed on this image: ${describeError(error)}`,
        fix: "This is a bug in solera; please report it with the image's files.",
      },
    ];
  }
}
