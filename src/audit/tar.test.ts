import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type TarEntry, TarFormatError, TarReader } from "./tar.ts";

// Tars built byte by byte here, so every offset is known: a header is one 512-byte block,
// content is padded to the next block, and two zero blocks end the archive.

interface Spec {
  name: string;
  flag?: string;
  mode?: number;
  content?: string;
  linkname?: string;
  prefix?: string;
  magic?: "ustar" | "gnu";
}

function header(spec: Spec, size: number): Uint8Array {
  const block = new Uint8Array(512);
  const put = (text: string, at: number) => block.set(new TextEncoder().encode(text), at);
  const octal = (value: number, width: number) => `${value.toString(8).padStart(width - 1, "0")}\0`;
  put(spec.name, 0);
  put(octal(spec.mode ?? 0o644, 8), 100);
  put(octal(0, 8), 108);
  put(octal(0, 8), 116);
  put(octal(size, 12), 124);
  put(octal(0, 12), 136);
  put(spec.flag ?? "0", 156);
  put(spec.linkname ?? "", 157);
  if (spec.magic === "gnu") put("ustar  \0", 257);
  else put("ustar\u000000", 257);
  if (spec.prefix) put(spec.prefix, 345);
  put("        ", 148);
  const sum = block.reduce((total, byte) => total + byte, 0);
  put(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
  return block;
}

function entry(spec: Spec): Uint8Array[] {
  const content = new TextEncoder().encode(spec.content ?? "");
  const padded = new Uint8Array(Math.ceil(content.length / 512) * 512);
  padded.set(content);
  return [header(spec, content.length), padded];
}

function pax(records: Record<string, string>): string {
  return Object.entries(records)
    .map(([key, value]) => {
      // The length counts bytes, its own digits included.
      const body = ` ${key}=${value}\n`;
      const bytes = (text: string) => new TextEncoder().encode(text).length;
      let length = bytes(body) + 1;
      while (bytes(`${length}${body}`) !== length) length += 1;
      return `${length}${body}`;
    })
    .join("");
}

function archive(...specs: Spec[]): Uint8Array {
  const parts = [...specs.flatMap(entry), new Uint8Array(1024)];
  const bytes = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  return bytes;
}

function read(bytes: Uint8Array, chunkSize = bytes.length, capture?: (e: TarEntry) => boolean) {
  const entries: (TarEntry & { content?: string })[] = [];
  const reader = new TarReader({
    onEntry: (e, content) =>
      entries.push(content ? { ...e, content: new TextDecoder().decode(content) } : e),
    capture,
  });
  for (let at = 0; at < bytes.length; at += chunkSize)
    reader.write(bytes.subarray(at, at + chunkSize));
  reader.end();
  return { entries, finished: reader.finished };
}

const longName = `usr/share/${"very-long-directory-name/".repeat(8)}file.txt`;

describe("TarReader", () => {
  const tar = archive(
    { name: "./etc/", flag: "5", mode: 0o755 },
    { name: "./etc/hostname", content: "solera\n" },
    { name: "././@LongLink", flag: "L", content: `${longName}\0`, magic: "gnu" },
    { name: longName.slice(0, 99), content: "x".repeat(600), magic: "gnu" },
    { name: "PaxHeader", flag: "x", content: pax({ path: "opt/ünïcode name", size: "3" }) },
    { name: "opt/placeholder", content: "abc" },
    { name: "bin/su", mode: 0o4755, content: "" },
    { name: "lib/libc.so", flag: "2", linkname: "libc.so.6" },
    { name: "hostname", prefix: "usr/lib/split/by/ustar", content: "p" },
    { name: "var/lib/apt/lists/.wh.partial", content: "" },
    { name: "etc/gss/.wh..wh..opq", content: "" },
  );

  it("reads every entry with its type, mode, size and link", () => {
    const { entries, finished } = read(tar);
    assert.equal(finished, true);
    assert.deepEqual(
      entries.map((e) => [e.path, e.type, e.mode, e.size, e.linkname]),
      [
        ["etc", "directory", 0o755, 0, ""],
        ["etc/hostname", "file", 0o644, 7, ""],
        [longName, "file", 0o644, 600, ""],
        ["opt/ünïcode name", "file", 0o644, 3, ""],
        ["bin/su", "file", 0o4755, 0, ""],
        ["lib/libc.so", "symlink", 0o644, 0, "libc.so.6"],
        ["usr/lib/split/by/ustar/hostname", "file", 0o644, 1, ""],
        ["var/lib/apt/lists/.wh.partial", "file", 0o644, 0, ""],
        ["etc/gss/.wh..wh..opq", "file", 0o644, 0, ""],
      ],
    );
  });

  it("gives the same entries whatever the chunk boundaries", () => {
    const whole = read(tar).entries;
    for (const size of [1, 7, 511, 512, 513, 4096])
      assert.deepEqual(read(tar, size).entries, whole);
  });

  it("hands over the content of the entries it is asked to capture, and only those", () => {
    const { entries } = read(tar, 100, (e) => e.path === "etc/hostname");
    assert.equal(entries.find((e) => e.path === "etc/hostname")?.content, "solera\n");
    assert.equal(entries.filter((e) => e.content !== undefined).length, 1);
  });

  it("refuses a header whose checksum does not match, naming its offset", () => {
    const bad = archive({ name: "a", content: "1" }, { name: "b", content: "2" });
    bad[1024 + 10] = 0x41; // inside the second header's name field: block 2 starts at 1024
    assert.throws(
      () => read(bad),
      (error: unknown) => {
        assert.ok(error instanceof TarFormatError);
        assert.equal(error.offset, 1024);
        assert.match(
          error.message,
          /^bad header checksum \(stored \d+, computed \d+\) \(at byte 1024/,
        );
        return true;
      },
    );
  });

  it("refuses a stream that ends inside an entry", () => {
    const cut = archive({ name: "a", content: "x".repeat(700) }).subarray(0, 900);
    assert.throws(() => read(cut), /the tar stream ends inside an entry \(at byte 900/);
  });
});
