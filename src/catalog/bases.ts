import type { Stage } from "../dockerfile/types.ts";
import { familiarName, parseReference } from "../reference/parse.ts";
import type { CatalogImage } from "./types.ts";

// The Dockerfile is the single source of truth for an image's bases: image.yaml never repeats
// them, and the catalog's "upstream / base" column is derived here from the FROM lines.

/** An image's bases as its Dockerfile's FROM lines name them. */
export interface ImageBases {
  /** Images that only build stages start from, in stage order, without the runtime base. */
  build: string[];
  /** The image the final stage extends, following `FROM <stage>` back to an image. */
  runtime: string;
  /** The catalog's "upstream / base" column: build bases, then the runtime base, joined by →. */
  text: string;
}

/**
 * Derives an image's bases from its Dockerfile: `wordpress:6.9.4-php8.3-fpm` for a single
 * stage, `rust:1.88-slim-bookworm → debian:bookworm-slim` for a build stage and a runtime stage.
 * Images are written the short way a user writes them; a FROM whose build arguments have no
 * default is shown as written.
 */
export function describeBases(image: CatalogImage): ImageBases {
  const stages = image.dockerfile.stages;
  const final = stages.at(-1);
  const runtime = final === undefined ? "" : baseImageOf(final, stages);

  const build: string[] = [];
  for (const stage of stages.slice(0, -1)) {
    if (stage.from.stage !== undefined) continue;
    const name = displayName(stage);
    if (name !== runtime && !build.includes(name)) build.push(name);
  }
  return { build, runtime, text: [...build, runtime].join(" → ") };
}

/** The image a stage ultimately starts from, following FROM <stage> chains. */
function baseImageOf(stage: Stage, stages: Stage[]): string {
  let current: Stage | undefined = stage;
  for (let hops = 0; current?.from.stage !== undefined && hops < stages.length; hops++) {
    const name: string = current.from.stage;
    current = stages.find((candidate) => candidate.name === name && candidate.index < stage.index);
  }
  return current === undefined ? stage.from.raw : displayName(current);
}

function displayName(stage: Stage): string {
  const text = stage.from.resolved ?? stage.from.raw;
  if (text === "scratch") return text;
  try {
    return familiarName(parseReference(text));
  } catch {
    // An unparsable reference is shown as written; the A1 gate reports what is wrong with it.
    return text;
  }
}
