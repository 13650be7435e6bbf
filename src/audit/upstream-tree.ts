import type { TarEntry } from "./tar.ts";

const WHITEOUT = ".wh.";
const OPAQUE = ".wh..wh..opq";

/** A whiteout entry read as what it deletes; undefined for an ordinary entry. */
export function readWhiteout(path: string): { path: string; opaque: boolean } | undefined {
  const slash = path.lastIndexOf("/");
  const dir = path.slice(0, slash + 1);
  const base = path.slice(slash + 1);
  if (base === OPAQUE) return { path: dir.replace(/\/$/, ""), opaque: true };
  if (base.startsWith(WHITEOUT)) return { path: dir + base.slice(WHITEOUT.length), opaque: false };
  return undefined;
}

/** One dpkg path filter (`path-exclude=` or `path-include=` in dpkg.cfg.d). */
interface PathFilter {
  include: boolean;
  pattern: RegExp;
}

const DPKG_CONFIG_DIR = "etc/dpkg/dpkg.cfg.d/";

/**
 * The upstream's file tree as its layers leave it: the set of paths (whiteouts applied), and
 * the dpkg path filters of `/etc/dpkg/dpkg.cfg.d`, which say what the upstream strips (the
 * official Debian slim images exclude docs, man pages and locales there). Holds one string per
 * upstream path (a Debian slim base has about 5,000) and nothing of the files' content.
 */
export class UpstreamTree {
  readonly paths = new Set<string>();
  /** Directories that had an entry below them (kept when that entry is deleted again). */
  readonly #parents = new Set<string>();
  readonly #dpkgConfig = new Map<string, string>();
  #filters?: PathFilter[];

  /** True for the dpkg configuration files, whose content the tree wants to read. */
  wants(entry: TarEntry): boolean {
    return entry.path.startsWith(DPKG_CONFIG_DIR);
  }

  /** Applies one entry of an upstream layer, in layer order. */
  apply(entry: TarEntry, content?: Uint8Array): void {
    const whiteout = readWhiteout(entry.path);
    if (whiteout) {
      this.#remove(whiteout.path, whiteout.opaque);
      return;
    }
    this.paths.add(entry.path);
    const slash = entry.path.lastIndexOf("/");
    if (slash > 0) this.#parents.add(entry.path.slice(0, slash));
    if (content && entry.path.startsWith(DPKG_CONFIG_DIR)) {
      this.#dpkgConfig.set(entry.path, new TextDecoder().decode(content));
      this.#filters = undefined;
    }
  }

  /** True when some upstream path lies below `dir`. */
  hasBelow(dir: string): boolean {
    // Most opaque markers BuildKit writes are on directories the layer creates: the set of
    // parents answers those without walking every path.
    if (!this.#parents.has(dir)) return false;
    const prefix = `${dir}/`;
    for (const path of this.paths) if (path.startsWith(prefix)) return true;
    return false;
  }

  /**
   * True when the upstream's dpkg filters exclude `path` (given without a leading `/`): dpkg
   * reads the files of dpkg.cfg.d in name order and the last filter that matches decides.
   */
  stripped(path: string): boolean {
    this.#filters ??= parseFilters(this.#dpkgConfig);
    const absolute = `/${path}`;
    let excluded = false;
    for (const filter of this.#filters) {
      if (filter.pattern.test(absolute)) excluded = !filter.include;
    }
    return excluded;
  }

  /** The number of dpkg path filters found (0 when the upstream strips nothing through dpkg). */
  get filterCount(): number {
    this.#filters ??= parseFilters(this.#dpkgConfig);
    return this.#filters.length;
  }

  #remove(path: string, opaque: boolean): void {
    const prefix = `${path}/`;
    if (!opaque) this.paths.delete(path);
    for (const candidate of this.paths)
      if (candidate.startsWith(prefix)) this.paths.delete(candidate);
  }
}

function parseFilters(files: Map<string, string>): PathFilter[] {
  const filters: PathFilter[] = [];
  for (const name of [...files.keys()].sort()) {
    for (const line of (files.get(name) ?? "").split("\n")) {
      const match = /^\s*path-(exclude|include)[=\s]\s*(\S+)/.exec(line);
      if (match?.[1] && match[2]) {
        filters.push({ include: match[1] === "include", pattern: globToRegExp(match[2]) });
      }
    }
  }
  return filters;
}

/**
 * dpkg matches filters with fnmatch(3) without FNM_PATHNAME, so `*` also matches `/`:
 * `/usr/share/doc/*` covers the whole tree below it.
 */
export function globToRegExp(glob: string): RegExp {
  let source = "";
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i] ?? "";
    if (char === "*") source += ".*";
    else if (char === "?") source += ".";
    else if (char === "[") {
      const end = glob.indexOf("]", i + 2);
      if (end < 0) source += "\\[";
      else {
        source += `[${glob
          .slice(i + 1, end)
          .replace(/^!/, "^")
          .replaceAll("\\", "\\\\")}]`;
        i = end;
      }
    } else source += char.replace(/[.+^${}()|\\/]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}
