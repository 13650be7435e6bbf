import { loadCatalog } from "../catalog/load.ts";
import { type GateReport, runGates } from "./run.ts";

/**
 * Loads the catalog in `dir` and runs the gates over the named images (all when none).
 * Load errors propagate as CatalogLoadError (a UserError, exit code 2).
 */
export async function checkCatalog(dir: string, names: string[] = []): Promise<GateReport> {
  const catalog = await loadCatalog(dir);
  return runGates(catalog, names);
}
