import { UserError } from "../errors.ts";
import type { CatalogImage } from "./types.ts";

/** An image with the platforms of it that a `--platform` filter keeps. */
export interface PlatformSelection {
  image: CatalogImage;
  platforms: string[];
}

/**
 * Applies a `--platform` filter to images, by the rule `build` follows too: an image named on the
 * command line that declares none of the asked platforms is a usage error; with all images (none
 * named), such images are skipped with the reason, and at least one image must remain. Without a
 * filter every image keeps all its platforms.
 */
export function selectPlatforms(
  images: CatalogImage[],
  asked: string[] | undefined,
  named: boolean,
): { selected: PlatformSelection[]; skipped: { name: string; reason: string }[] } {
  const selected: PlatformSelection[] = [];
  const skipped: { name: string; reason: string }[] = [];
  for (const image of images) {
    const platforms = image.platforms.filter(
      (platform) => !asked?.length || asked.includes(platform),
    );
    if (platforms.length > 0) {
      selected.push({ image, platforms });
      continue;
    }
    const reason = `declares only ${image.platforms.join(", ")}, none of the platforms asked (${asked?.join(", ")})`;
    if (named) throw new UserError(`${image.name} ${reason}`, { hint: PLATFORM_HINT });
    skipped.push({ name: image.name, reason });
  }

  if (selected.length === 0 && skipped.length > 0) {
    throw new UserError("no image of the catalog declares any of the platforms asked", {
      hint: PLATFORM_HINT,
    });
  }
  return { selected, skipped };
}

const PLATFORM_HINT =
  "leave --platform out, or ask for a platform the image declares in its image.yaml";
