import assert from "node:assert/strict";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { writeFileAtomic } from "./atomic-write.ts";
import { readLock, updateLock } from "./lock.ts";
import { parseUpstreamsLabel } from "./publish.ts";
import type { LockEntry } from "./types.ts";

const entry: LockEntry = {
  tag: "r/solera/a:1",
  registry: "r/solera",
  digest: `sha256:${"1".repeat(64)}`,
  mediaType: "application/vnd.oci.image.index.v1+json",
  platforms: { "linux/amd64": `sha256:${"2".repeat(64)}` },
  upstreams: {},
  pushedAt: "2026-01-01T00:00:00.000Z",
};

describe("the lock", () => {
  it("reads an absent lock as empty and merges new entries over the old, sorted", async () => {
    const dir = mkdtempSync(join(tmpdir(), "solera-lock-"));
    const path = join(dir, "solera.lock.json");
    assert.deepEqual(await readLock(path), { lockVersion: 1, images: {} });
    await updateLock(path, { b: entry });
    await updateLock(path, { a: entry });
    assert.deepEqual(Object.keys(JSON.parse(readFileSync(path, "utf8")).images), ["a", "b"]);
    assert.deepEqual(readdirSync(dir), ["solera.lock.json"]);
  });

  it("removes its temporary file and leaves the target when the rename fails", async () => {
    const dir = mkdtempSync(join(tmpdir(), "solera-lock-"));
    const target = join(dir, "solera.lock.json");
    mkdirSync(join(target, "keep"), { recursive: true });
    await assert.rejects(writeFileAtomic(target, "{}"), { message: `writing ${target}` });
    assert.deepEqual(readdirSync(dir), ["solera.lock.json"]);
    assert.deepEqual(readdirSync(target), ["keep"]);
  });

  it("refuses a file that is not a solera lock", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "solera-lock-")), "solera.lock.json");
    writeFileSync(path, "{}");
    await assert.rejects(readLock(path), {
      message: `the lock ${path} is not a solera lock (lockVersion 1 with images)`,
    });
  });

  it("says a lock from a newer solera is one, not that it is no lock", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "solera-lock-")), "solera.lock.json");
    writeFileSync(path, JSON.stringify({ lockVersion: 99, images: {} }));
    await assert.rejects(readLock(path), {
      message: `the lock ${path} was written by a newer solera (lock version 99; this solera reads 1)`,
    });
  });

  it("keeps an entry whose digests are unchanged and does not rewrite the file", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "solera-lock-")), "solera.lock.json");
    assert.equal(await updateLock(path, { a: entry }), true);
    const before = statSync(path);
    const text = readFileSync(path, "utf8");
    const again = { ...entry, pushedAt: "2026-02-02T00:00:00.000Z" };
    assert.equal(await updateLock(path, { a: again }), false);
    assert.equal(readFileSync(path, "utf8"), text);
    assert.equal(statSync(path).ino, before.ino);

    const moved = { ...again, digest: `sha256:${"4".repeat(64)}` };
    assert.equal(await updateLock(path, { a: moved }), true);
    assert.deepEqual(JSON.parse(readFileSync(path, "utf8")).images.a, moved);
  });

  it("reads the upstreams label back into a map", () => {
    const digest = `sha256:${"3".repeat(64)}`;
    assert.deepEqual(parseUpstreamsLabel(`docker.io/library/debian:bookworm-slim@${digest}`), {
      "docker.io/library/debian:bookworm-slim": digest,
    });
    assert.deepEqual(parseUpstreamsLabel(undefined), {});
  });
});
