/**
 * A streaming tar reader for image layers: ustar headers, GNU long names (`L`/`K`), PAX
 * extended headers (`x`, and global `g`), and the base-256 sizes GNU tar writes past 8 GiB.
 * Bytes are pushed in with `write`; each entry is reported once its header is read, and its
 * content is skipped, never kept, unless `capture` asks for it (small files only). At most one
 * 512-byte block and one metadata record are held at a time, so a layer of any size reads in
 * constant memory.
 */

const BLOCK = 512;
/** PAX and GNU long-name records larger than this are refused (real ones are a few KB). */
const MAX_META_BYTES = 1 << 20;

/** The kind of a tar entry, from its type flag. */
export type TarEntryType = "file" | "hardlink" | "symlink" | "directory" | "other";

/** One entry of a tar stream, with metadata records already applied. */
export interface TarEntry {
  /** The path without a leading `./` or `/` and without a trailing `/`. */
  path: string;
  type: TarEntryType;
  /** Permission bits including setuid (0o4000), setgid (0o2000) and sticky (0o1000). */
  mode: number;
  /** Content size in bytes (0 for links and directories). */
  size: number;
  /** The target of a symlink or hard link. */
  linkname: string;
  uid: number;
  gid: number;
}

/** A tar stream that is not well formed; `offset` is where the bad block starts. */
export class TarFormatError extends Error {
  readonly offset: number;

  constructor(message: string, offset: number) {
    super(`${message} (at byte ${offset} of the tar stream)`);
    this.name = "TarFormatError";
    this.offset = offset;
  }
}

/** How a TarReader reports entries. */
export interface TarReaderOptions {
  /** Called for each entry; `content` is set when `capture` asked for it. */
  onEntry: (entry: TarEntry, content?: Uint8Array) => void;
  /** Return true to receive this entry's content (only regular files up to `maxCapture` bytes). */
  capture?: (entry: TarEntry) => boolean;
  /** Largest content `capture` may receive; default 64 KiB. */
  maxCapture?: number;
}

type Meta = { kind: "pax" | "global" | "longname" | "longlink"; header: Header };

interface Header {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  flag: string;
  linkname: string;
}

/** A push-based tar parser: `write` chunks in order, then `end`. */
export class TarReader {
  readonly #options: TarReaderOptions;
  #offset = 0;
  #block = new Uint8Array(BLOCK);
  #blockFill = 0;
  /** Bytes of content still to pass over for the current entry, then its padding. */
  #remaining = 0;
  #padding = 0;
  #collect?: { buffer: Uint8Array; fill: number; done: (bytes: Uint8Array) => void };
  #pax: Record<string, string> = {};
  #globalPax: Record<string, string> = {};
  #longName?: string;
  #longLink?: string;
  #zeroBlocks = 0;
  #ended = false;

  constructor(options: TarReaderOptions) {
    this.#options = options;
  }

  /** True once the two zero blocks that close an archive were read. */
  get finished(): boolean {
    return this.#ended;
  }

  /** Feeds the next bytes of the stream. */
  write(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length && !this.#ended) {
      if (this.#remaining > 0) at += this.#consumeContent(chunk, at);
      else if (this.#padding > 0) at += this.#skipPadding(chunk.length - at);
      else at += this.#fillBlock(chunk, at);
    }
  }

  /** Checks that the stream did not stop inside an entry. */
  end(): void {
    if (this.#remaining > 0 || this.#padding > 0 || this.#blockFill > 0) {
      throw new TarFormatError("the tar stream ends inside an entry", this.#offset);
    }
  }

  #consumeContent(chunk: Uint8Array, at: number): number {
    const take = Math.min(this.#remaining, chunk.length - at);
    const collect = this.#collect;
    if (collect) {
      collect.buffer.set(chunk.subarray(at, at + take), collect.fill);
      collect.fill += take;
    }
    this.#remaining -= take;
    this.#offset += take;
    if (this.#remaining === 0 && collect) {
      this.#collect = undefined;
      collect.done(collect.buffer);
    }
    return take;
  }

  #skipPadding(available: number): number {
    const take = Math.min(this.#padding, available);
    this.#padding -= take;
    this.#offset += take;
    return take;
  }

  #fillBlock(chunk: Uint8Array, at: number): number {
    const take = Math.min(BLOCK - this.#blockFill, chunk.length - at);
    this.#block.set(chunk.subarray(at, at + take), this.#blockFill);
    this.#blockFill += take;
    this.#offset += take;
    if (this.#blockFill === BLOCK) {
      this.#blockFill = 0;
      this.#onHeaderBlock(this.#block, this.#offset - BLOCK);
    }
    return take;
  }

  #onHeaderBlock(block: Uint8Array, start: number): void {
    if (block.every((byte) => byte === 0)) {
      this.#zeroBlocks += 1;
      if (this.#zeroBlocks === 2) this.#ended = true;
      return;
    }
    this.#zeroBlocks = 0;
    const header = parseHeader(block, start);
    const meta = metaKind(header.flag);
    this.#padding = (BLOCK - (header.size % BLOCK)) % BLOCK;

    if (meta) {
      if (header.size > MAX_META_BYTES) {
        throw new TarFormatError(`a ${meta} record of ${header.size} bytes is too large`, start);
      }
      this.#expect(header.size, (bytes) => this.#applyMeta({ kind: meta, header }, bytes));
      return;
    }
    this.#emit(header);
  }

  /** Collects the next `size` content bytes and hands them to `done`. */
  #expect(size: number, done: (bytes: Uint8Array) => void): void {
    this.#remaining = size;
    if (size === 0) {
      done(new Uint8Array(0));
      return;
    }
    this.#collect = { buffer: new Uint8Array(size), fill: 0, done };
  }

  #applyMeta(meta: Meta, bytes: Uint8Array): void {
    if (meta.kind === "longname") this.#longName = cString(bytes, 0, bytes.length);
    else if (meta.kind === "longlink") this.#longLink = cString(bytes, 0, bytes.length);
    else if (meta.kind === "global") Object.assign(this.#globalPax, parsePax(bytes));
    else Object.assign(this.#pax, parsePax(bytes));
  }

  #emit(header: Header): void {
    const pax = { ...this.#globalPax, ...this.#pax };
    const size = pax.size === undefined ? header.size : Number(pax.size);
    const entry: TarEntry = {
      path: normalisePath(pax.path ?? this.#longName ?? header.name),
      type: entryType(header.flag),
      mode: header.mode,
      size,
      linkname: pax.linkpath ?? this.#longLink ?? header.linkname,
      uid: pax.uid === undefined ? header.uid : Number(pax.uid),
      gid: pax.gid === undefined ? header.gid : Number(pax.gid),
    };
    this.#pax = {};
    this.#longName = undefined;
    this.#longLink = undefined;
    this.#padding = (BLOCK - (size % BLOCK)) % BLOCK;

    const maxCapture = this.#options.maxCapture ?? 64 * 1024;
    const wanted = entry.type === "file" && size <= maxCapture && this.#options.capture?.(entry);
    if (wanted) {
      this.#expect(size, (bytes) => this.#options.onEntry(entry, bytes));
      return;
    }
    this.#remaining = size;
    this.#options.onEntry(entry);
  }
}

function parseHeader(block: Uint8Array, start: number): Header {
  const stored = readOctal(block, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0);
  if (stored !== sum) {
    throw new TarFormatError(`bad header checksum (stored ${stored}, computed ${sum})`, start);
  }

  // ustar ("ustar\0") splits long paths into prefix + name; GNU ("ustar ") uses that area for
  // other fields and writes long paths as `L` records instead.
  const ustar = cString(block, 257, 6) === "ustar" && block[262] === 0;
  const name = cString(block, 0, 100);
  const prefix = ustar ? cString(block, 345, 155) : "";
  return {
    name: prefix ? `${prefix}/${name}` : name,
    mode: readOctal(block, 100, 8),
    uid: readNumber(block, 108, 8),
    gid: readNumber(block, 116, 8),
    size: readNumber(block, 124, 12),
    flag: String.fromCharCode(block[156] ?? 0),
    linkname: cString(block, 157, 100),
  };
}

function metaKind(flag: string): Meta["kind"] | undefined {
  if (flag === "x") return "pax";
  if (flag === "g") return "global";
  if (flag === "L") return "longname";
  if (flag === "K") return "longlink";
  return undefined;
}

function entryType(flag: string): TarEntryType {
  if (flag === "0" || flag === "\0" || flag === "7") return "file";
  if (flag === "1") return "hardlink";
  if (flag === "2") return "symlink";
  if (flag === "5") return "directory";
  return "other";
}

/** `./usr/bin/` → `usr/bin`; `/etc` → `etc`. */
function normalisePath(path: string): string {
  return path.replace(/^(\.\/|\/)+/, "").replace(/\/+$/, "");
}

function cString(bytes: Uint8Array, start: number, length: number): string {
  let end = start;
  while (end < start + length && bytes[end] !== 0) end++;
  return new TextDecoder().decode(bytes.subarray(start, end));
}

function readOctal(bytes: Uint8Array, start: number, length: number): number {
  const text = cString(bytes, start, length).trim();
  return text === "" ? 0 : Number.parseInt(text, 8);
}

/** Octal, or GNU base-256 when the first byte's high bit is set (sizes of 8 GiB and more). */
function readNumber(bytes: Uint8Array, start: number, length: number): number {
  if (((bytes[start] ?? 0) & 0x80) === 0) return readOctal(bytes, start, length);
  let value = (bytes[start] ?? 0) & 0x7f;
  for (let i = start + 1; i < start + length; i++) value = value * 256 + (bytes[i] ?? 0);
  return value;
}

/** PAX records: `<length> <key>=<value>\n`, the length counting the whole record. */
function parsePax(bytes: Uint8Array): Record<string, string> {
  const records: Record<string, string> = {};
  const decoder = new TextDecoder();
  let at = 0;
  while (at < bytes.length) {
    const space = bytes.indexOf(0x20, at);
    if (space < 0) break;
    const length = Number(decoder.decode(bytes.subarray(at, space)));
    if (!Number.isInteger(length) || length <= 0) break;
    const record = decoder.decode(bytes.subarray(space + 1, at + length - 1));
    const equals = record.indexOf("=");
    if (equals > 0) records[record.slice(0, equals)] = record.slice(equals + 1);
    at += length;
  }
  return records;
}
