import type { CatalogImage, FieldPath } from "../catalog/types.ts";
import type { Instruction } from "../dockerfile/types.ts";
import type { Check, Finding } from "./types.ts";

/** Where a finding points: a file and, when known, a 1-based line. */
export interface Place {
  file: string;
  line?: number;
}

/** The place of a Dockerfile instruction (or of a FROM, given its start line). */
export function dockerfilePlace(
  image: CatalogImage,
  at: Pick<Instruction, "start"> | number,
): Place {
  const line = typeof at === "number" ? at : at.start.line;
  return { file: image.dockerfilePath, line };
}

/**
 * The place of a field in image.yaml. When the field is absent (an empty list, a missing key),
 * the nearest parent that is present is cited instead, so the reader still lands close by.
 */
export function yamlPlace(image: CatalogImage, path: FieldPath): Place {
  for (let length = path.length; length > 0; length--) {
    const position = safeLocate(image, path.slice(0, length));
    if (position !== undefined) return { file: image.file, line: position.line };
  }
  return { file: image.file };
}

function safeLocate(image: CatalogImage, path: FieldPath) {
  try {
    return image.locate(path);
  } catch {
    // A locator is a convenience for messages; a failure to locate must not stop the gates.
    return undefined;
  }
}

/** Builds a finding of a check; the fix defaults to the check's own. */
export function createFinding(
  check: Check,
  image: CatalogImage,
  place: Place,
  message: string,
  fix: string = check.fix,
): Finding {
  const finding: Finding = {
    rule: check.id,
    severity: check.severity,
    image: image.name,
    file: place.file,
    message,
    fix,
  };
  if (place.line !== undefined) finding.line = place.line;
  return finding;
}
