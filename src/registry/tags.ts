import { TagListSchema } from "./schema.ts";
import { RegistryError } from "./transport/errors.ts";
import type { Transport } from "./transport/transport.ts";

/** Options of a tag listing. */
export interface ListTagsOptions {
  /** Tags per page (`n`); the registry's default when absent. */
  pageSize?: number;
  /** The most pages to follow before failing (default 100). */
  maxPages?: number;
}

const DEFAULT_MAX_PAGES = 100;

/**
 * Lists a repository's tags, following `Link: <…>; rel="next"` exactly as the registry gives it
 * (relative to the registry). Fails rather than returning a partial list when the pages exceed
 * `maxPages`.
 */
export async function listTags(
  transport: Transport,
  registry: string,
  repository: string,
  options: ListTagsOptions = {},
): Promise<string[]> {
  const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
  const query = options.pageSize === undefined ? "" : `?n=${options.pageSize}`;
  let next: string | undefined = `${repository}/tags/list${query}`;
  let base: URL | undefined;
  const tags: string[] = [];

  for (let page = 1; next !== undefined; page++) {
    if (page > maxPages) {
      throw new RegistryError(
        `the tag list of ${registry}/${repository} has more than ${maxPages} pages; stopped following its Link headers`,
        {
          hint: "raise maxPages if the repository really has that many tags",
        },
      );
    }

    const path: string | URL = base === undefined ? next : new URL(next, base);
    const response = await transport.request({ registry, method: "GET", path, repository });
    base = new URL(response.url);

    const parsed = TagListSchema.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) {
      throw new RegistryError(
        `the tag list of ${registry}/${repository} is not {"name", "tags"} JSON`,
        { url: response.url },
      );
    }
    tags.push(...(parsed.data.tags ?? []));
    next = nextLink(response.headers.get("link"));
  }

  return tags;
}

/** The target of the `rel="next"` entry of a Link header (RFC 8288), if any. */
export function nextLink(header: string | null): string | undefined {
  if (header === null) return undefined;
  for (const entry of header.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>(.*)$/.exec(entry);
    if (match !== null && /;\s*rel="?next"?/i.test(match[2] ?? "")) return match[1];
  }
  return undefined;
}
