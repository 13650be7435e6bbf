import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { classifyChange, type LayerChange } from "./classify.ts";
import { DeltaWalker } from "./delta-walker.ts";
import type { TarEntry } from "./tar.ts";
import { UpstreamTree } from "./upstream-tree.ts";

const dpkgExcludes = [
  "path-exclude /usr/share/doc/*",
  "path-include /usr/share/doc/*/copyright",
  "path-exclude /usr/share/man/*",
].join("\n");

function upstream(): UpstreamTree {
  const tree = new UpstreamTree();
  const file = (path: string): TarEntry => ({
    path,
    type: "file",
    mode: 0o644,
    size: 1,
    linkname: "",
    uid: 0,
    gid: 0,
  });
  tree.apply(file("etc/dpkg/dpkg.cfg.d/docker"), new TextEncoder().encode(dpkgExcludes));
  for (const path of [
    "etc/passwd",
    "usr/bin/perl",
    "var/lib/apt/lists/partial",
    "usr/share/zoneinfo/UTC",
  ]) {
    tree.apply(file(path));
  }
  return tree;
}

const added = (path: string, mode = 0o644, type: LayerChange["type"] = "file"): LayerChange => ({
  kind: "added",
  path,
  type,
  mode,
});
const deleted = (path: string, origin?: "upstream" | "delta", opaque = false): LayerChange => ({
  kind: "deleted",
  path,
  type: "other",
  mode: 0,
  origin,
  opaque,
});

describe("classifyChange", () => {
  const table: [string, LayerChange, string[]][] = [
    [
      "an apt package list",
      added("var/lib/apt/lists/deb.debian.org_dists_bookworm_InRelease"),
      ["AUDIT.apt-lists"],
    ],
    ["apt's lock file", added("var/lib/apt/lists/lock"), []],
    ["apt's partial directory", added("var/lib/apt/lists/partial", 0o700, "directory"), []],
    [
      "a downloaded .deb",
      added("var/cache/apt/archives/iproute2_6.1.0-3_amd64.deb"),
      ["AUDIT.apt-cache"],
    ],
    ["apt's binary cache", added("var/cache/apt/pkgcache.bin"), ["AUDIT.apt-cache"]],
    ["a doc file the upstream strips", added("usr/share/doc/iproute2/README"), ["AUDIT.docs"]],
    ["a copyright file the upstream keeps", added("usr/share/doc/iproute2/copyright"), []],
    ["a man page", added("usr/share/man/man8/ip.8.gz"), ["AUDIT.docs"]],
    ["a file in /tmp", added("tmp/build.log"), ["AUDIT.tmp-files"]],
    ["the /tmp directory itself", added("tmp", 0o1777, "directory"), []],
    ["npm's cache", added("root/.npm/_cacache/index-v5/aa"), ["AUDIT.build-cache"]],
    ["cargo's registry", added("usr/local/cargo/registry/cache/x.crate"), ["AUDIT.build-cache"]],
    ["a user's pip cache", added("home/app/.cache/pip/http/x"), ["AUDIT.build-cache"]],
    ["gcc", added("usr/bin/gcc-12", 0o755), ["AUDIT.toolchain"]],
    ["a cross gcc", added("usr/bin/x86_64-linux-gnu-gcc-12", 0o755), ["AUDIT.toolchain"]],
    [
      "a -dev package's file list",
      added("var/lib/dpkg/info/libgmp-dev:amd64.list"),
      ["AUDIT.toolchain"],
    ],
    ["a runtime package's file list", added("var/lib/dpkg/info/libgmp10:amd64.list"), []],
    ["a stray header", added("usr/include/iproute2/bpf_elf.h"), ["AUDIT.headers"]],
    ["a setuid binary", added("usr/bin/newuidmap", 0o4755), ["AUDIT.setuid"]],
    ["a setgid binary", added("usr/bin/wall", 0o2755), ["AUDIT.setuid"]],
    ["a world-writable config", added("etc/app.conf", 0o666), ["AUDIT.world-writable"]],
    ["a sticky world-writable directory", added("var/spool/drop", 0o1777, "directory"), []],
    ["a world-writable symlink", added("etc/alternatives/x", 0o777, "symlink"), []],
    ["a deleted upstream file", deleted("usr/bin/perl", "upstream"), ["AUDIT.upstream-deletion"]],
    ["apt's partial directory cleaned", deleted("var/lib/apt/lists/partial", "upstream"), []],
    [
      "a file an earlier layer added, deleted",
      deleted("opt/app/build.o", "delta"),
      ["AUDIT.delta-churn"],
    ],
    ["an ordinary binary", added("usr/bin/ip", 0o755), []],
  ];
  const tree = upstream();
  for (const [what, change, rules] of table) {
    it(`${rules.length ? rules.join(", ") : "no finding"} for ${what}`, () => {
      assert.deepEqual(
        classifyChange(change, tree).map((hit) => hit.rule),
        rules,
      );
    });
  }
});

describe("DeltaWalker", () => {
  const entry = (path: string, type: TarEntry["type"] = "file"): TarEntry => ({
    path,
    type,
    mode: type === "directory" ? 0o755 : 0o644,
    size: 0,
    linkname: "",
    uid: 0,
    gid: 0,
  });

  it("tells added from changed, counts files by top directory, and ignores opaque markers of new directories", () => {
    const walker = new DeltaWalker(upstream());
    const tally = walker.startLayer(1, "RUN apt-get install -y iproute2");
    for (const path of [
      "etc/iproute2",
      "etc/iproute2/.wh..wh..opq",
      "etc/iproute2/rt_tables",
      "usr/bin/ip",
      "etc/passwd",
    ]) {
      walker.onEntry(entry(path, path === "etc/iproute2" ? "directory" : "file"));
    }
    assert.deepEqual(tally, { added: 2, changed: 1, deleted: 1 });
    assert.deepEqual(walker.addedByTopDir, { etc: 1, usr: 1 });
    assert.deepEqual(walker.findings(), []);
  });

  it("reports a later layer deleting what an earlier one added, and an upstream deletion, by layer", () => {
    const walker = new DeltaWalker(upstream());
    walker.startLayer(1, "COPY build /opt/build");
    walker.onEntry(entry("opt/build/a.o"));
    walker.startLayer(2, "RUN rm -rf /opt/build /usr/bin/perl");
    walker.onEntry(entry("opt/build/.wh.a.o"));
    walker.onEntry(entry("usr/bin/.wh.perl"));
    assert.deepEqual(
      walker.findings().map((f) => [f.rule, f.severity, f.layer, f.paths, f.count]),
      [
        ["AUDIT.upstream-deletion", "error", 2, ["/usr/bin/perl"], 1],
        ["AUDIT.delta-churn", "warning", 2, ["/opt/build/a.o"], 1],
      ],
    );
  });

  it("lists at most ten paths of a finding and counts the rest", () => {
    const walker = new DeltaWalker(upstream());
    walker.startLayer(1, "RUN apt-get update");
    for (let i = 0; i < 25; i++) walker.onEntry(entry(`var/lib/apt/lists/list-${i}`));
    const [finding] = walker.findings();
    assert.equal(finding?.paths.length, 10);
    assert.equal(finding?.count, 25);
  });
});
