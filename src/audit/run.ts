import { findAnsweringDocker } from "../build/engines/detect.ts";
import { registryMirrors } from "../build/upstream.ts";
import { findImages } from "../catalog/find.ts";
import { loadCatalog } from "../catalog/load.ts";
import { selectPlatforms } from "../catalog/platforms.ts";
import { RegistryClient } from "../registry/client.ts";
import { type AuditOptions, auditImage, ImageNotPushedError } from "./audit.ts";
import type { AuditReport, ImageAudit } from "./types.ts";

/** What `solera audit` asks for. */
export interface AuditRunOptions {
  catalogDir: string;
  /** Images to audit; empty means every image of the catalog. */
  names: string[];
  /** `<host>[:port]/<namespace>` the images were pushed to; the catalog's registry by default. */
  registry?: string;
  platforms?: string[];
  /** Report images that are not pushed as skipped instead of failing the run. */
  skipUnavailable?: boolean;
  client?: AuditOptions["client"];
  env?: NodeJS.ProcessEnv;
}

/**
 * Audits the selected images of a catalog as pushed to a registry. The Docker Hub mirrors come
 * from `SOLERA_REGISTRY_MIRRORS`, else from the local Docker engine's `registry-mirrors` (the
 * mirrors the build pulled through), else there are none.
 */
export async function auditCatalog(options: AuditRunOptions): Promise<AuditReport> {
  const env = options.env ?? process.env;
  const catalog = await loadCatalog(options.catalogDir);
  const images = findImages(catalog, options.names);
  // Only asked of the engine when the variable does not name the mirrors.
  const docker =
    env.SOLERA_REGISTRY_MIRRORS === undefined ? await findAnsweringDocker(env) : undefined;
  const mirrors = registryMirrors(docker?.probe?.mirrors ?? [], env);
  const settings: AuditOptions = {
    registry: options.registry ?? catalog.registry,
    client: options.client ?? new RegistryClient(),
    mirrors,
    platforms: options.platforms,
  };

  const audits: ImageAudit[] = [];
  const selection = selectPlatforms(images, options.platforms, options.names.length > 0);
  const skipped: AuditReport["skipped"] = [...selection.skipped];
  for (const { image } of selection.selected) {
    try {
      audits.push(await auditImage(image, settings));
    } catch (error) {
      if (options.skipUnavailable && error instanceof ImageNotPushedError) {
        skipped.push({ name: image.name, reason: error.message });
        continue;
      }
      throw new Error(`auditing ${image.name}`, { cause: error });
    }
  }
  return { images: audits, skipped, admissible: audits.every((audit) => audit.admissible) };
}
