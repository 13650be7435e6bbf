import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { auditCatalog } from "../src/audit/run.ts";
import { runSmokeTests } from "../src/smoke/run.ts";
import { ROOT, runSolera } from "./cli.ts";
import { machineSkipReason, testEnvironment, writeDockerConfig } from "./environment.ts";

// The audit and the smoke tests against the prepared machine: tiny images built FROM the
// Debian stand-in (through dockerd's registry mirror) with known deltas, pushed to a fresh
// namespace of the push registry, then audited and smoke-tested with exact results.

const env = testEnvironment();
const skip = machineSkipReason(env);
const work = mkdtempSync(join(tmpdir(), "solera-audit-test-"));
const catalogDir = join(work, "catalog");
const namespace = `${env?.pushRegistry}/a${process.pid}${Date.now().toString(36)}`;

const images: Record<string, { dockerfile: string; smoke?: string }> = {
  "clean-delta": {
    dockerfile: "FROM debian:bookworm-slim\nRUN echo solera > /etc/solera-release\n",
    smoke: [
      "smoke:",
      "  - name: the release file is there",
      "    run: [cat, /etc/solera-release]",
      "    expect: solera",
      "  - name: a check that fails",
      "    run: [sh, -c, 'echo first; echo broken >&2; exit 3']",
    ].join("\n"),
  },
  "dirty-delta": {
    dockerfile: [
      "FROM debian:bookworm-slim",
      "RUN echo index > /var/lib/apt/lists/deb.debian.org_dists_bookworm_InRelease && rm /usr/bin/tac",
      "",
    ].join("\n"),
  },
  "zero-delta": { dockerfile: "FROM debian:bookworm-slim\nENV SOLERA=1\n" },
};

/** A catalog of the test images: the shipped catalog.yaml, image.yaml files made from the agent's. */
function writeCatalog(): void {
  mkdirSync(join(catalogDir, "images"), { recursive: true });
  cpSync(join(ROOT, "catalog/catalog.yaml"), join(catalogDir, "catalog.yaml"));
  const agent = readFileSync(join(ROOT, "catalog/images/fip-alias-agent/image.yaml"), "utf8");
  for (const [name, { dockerfile, smoke }] of Object.entries(images)) {
    const dir = join(catalogDir, "images", name);
    mkdirSync(dir);
    const yaml = agent
      .replace("name: fip-alias-agent", `name: ${name}`)
      .replace("platforms: [linux/arm64, linux/amd64]", "platforms: [linux/amd64]")
      .replace(/\nsmoke:[\s\S]*$/, `\n${smoke ?? "smoke: []"}\n`);
    writeFileSync(join(dir, "image.yaml"), yaml);
    writeFileSync(join(dir, "Dockerfile"), dockerfile);
  }
}

function buildAndPush(name: string): void {
  const tag = `${namespace}/${name}:0.1.0`;
  const dir = join(catalogDir, "images", name);
  const options = { env: { ...process.env, DOCKER_BUILDKIT: "1" }, stdio: "pipe" as const };
  execFileSync(
    env?.docker ?? "docker",
    ["build", "--pull", "--platform", "linux/amd64", "-t", tag, dir],
    options,
  );
  execFileSync(env?.docker ?? "docker", ["push", tag], options);
}

const solera = (...args: string[]) => runSolera(args);

describe("audit and smoke tests on built images", { skip, concurrency: false }, () => {
  before(() => {
    writeCatalog();
    for (const name of Object.keys(images)) buildAndPush(name);
  });

  it("finds nothing to report in a clean delta and measures it", async () => {
    const report = await auditCatalog({ catalogDir, names: ["clean-delta"], registry: namespace });
    const [audit] = report.images;
    assert.equal(report.admissible, true);
    assert.equal(audit?.upstream.reference, "docker.io/library/debian:bookworm-slim");
    const [platform] = audit?.platforms ?? [];
    assert.equal(platform?.platform, "linux/amd64");
    assert.equal(platform?.layers.length, 1);
    assert.equal(platform?.layers[0]?.createdBy, "RUN echo solera > /etc/solera-release");
    assert.deepEqual(platform?.addedByTopDir, { etc: 1 });
    assert.deepEqual(platform?.findings, []);
    assert.ok((platform?.upstreamSize.uncompressed ?? 0) > 10 * 1024 * 1024);
  });

  it("reports apt lists left and an upstream file deleted, with the layer's command", async () => {
    const report = await auditCatalog({ catalogDir, names: ["dirty-delta"], registry: namespace });
    assert.equal(report.admissible, false);
    const findings = report.images[0]?.platforms[0]?.findings ?? [];
    assert.deepEqual(
      findings.map((f) => [f.rule, f.severity, f.layer, f.paths]),
      [
        [
          "AUDIT.apt-lists",
          "error",
          1,
          ["/var/lib/apt/lists/deb.debian.org_dists_bookworm_InRelease"],
        ],
        ["AUDIT.upstream-deletion", "error", 1, ["/usr/bin/tac"]],
      ],
    );
    assert.match(findings[0]?.createdBy ?? "", /^RUN \/bin\/sh -c echo index/);
  });

  it("refuses an image that adds no layer", async () => {
    const report = await auditCatalog({ catalogDir, names: ["zero-delta"], registry: namespace });
    const findings = report.images[0]?.platforms[0]?.findings ?? [];
    assert.deepEqual(
      findings.map((f) => [f.rule, f.severity]),
      [["AUDIT.zero-delta", "error"]],
    );
  });

  it("exits 1 on error findings, 0 when clean, 3 when the registry is unreachable", () => {
    const args = ["--catalog", catalogDir, "audit"];
    assert.equal(solera(...args, "clean-delta", "--registry", namespace).code, 0);
    const dirty = solera(...args, "dirty-delta", "--registry", namespace);
    assert.equal(dirty.code, 1);
    assert.match(dirty.stdout, /error AUDIT\.apt-lists \[linux\/amd64, layer 1: RUN echo index/);
    const unreachable = solera(...args, "clean-delta", "--registry", "127.0.0.1:9/none");
    assert.equal(unreachable.code, 3, unreachable.stderr);
    assert.equal(solera(...args).code, 2);
  });

  it("exits 4 when the registry refuses the credentials", () => {
    const config = env ? writeDockerConfig(work, env, "wrong") : "";
    const args = ["--catalog", catalogDir, "audit", "clean-delta", "--registry", namespace];
    const result = runSolera(args, { env: { DOCKER_CONFIG: config } });
    assert.equal(result.code, 4, result.stderr);
  });

  it("passes a smoke test and fails another with the output's last lines", async () => {
    const report = await runSmokeTests({ catalogDir, names: ["clean-delta"], registry: namespace });
    assert.equal(report.passed, false);
    assert.deepEqual(
      // stdout and stderr reach the tail in whatever order the engine relays them.
      report.results.map((r) => [r.test, r.platform, r.status, r.reason, r.tail?.toSorted()]),
      [
        ["the release file is there", "linux/amd64", "passed", undefined, undefined],
        ["a check that fails", "linux/amd64", "failed", "exited with 3", ["broken", "first"]],
      ],
    );
    const cli = solera("--catalog", catalogDir, "smoke", "clean-delta", "--registry", namespace);
    assert.equal(cli.code, 1);
    assert.match(cli.stdout, /FAIL {2}clean-delta linux\/amd64: a check that fails/);
  });

  it("exits 3 when the image is neither pushed nor local", () => {
    const result = solera(
      "--catalog",
      catalogDir,
      "smoke",
      "clean-delta",
      "--registry",
      `${namespace}/missing`,
    );
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /is neither in its registry for linux\/amd64 nor a local image/);
  });
});

describe("the shipped fip-alias-agent, built and pushed by solera", {
  skip,
  concurrency: false,
}, () => {
  const registry = `${namespace}-agent`;

  before(() => {
    const lock = join(work, "agent.lock.json");
    const result = solera(
      "build",
      "fip-alias-agent",
      "--push",
      "--registry",
      registry,
      "--lock",
      lock,
    );
    assert.equal(result.code, 0, result.stderr);
  });

  it("audits as admissible on both platforms: one layer adding iproute2, the bpf header a warning", async () => {
    const started = performance.now();
    const report = await auditCatalog({
      catalogDir: join(ROOT, "catalog"),
      names: ["fip-alias-agent"],
      registry,
    });
    const seconds = (performance.now() - started) / 1000;
    assert.equal(report.admissible, true);
    const platforms = report.images[0]?.platforms ?? [];
    assert.deepEqual(platforms.map((p) => p.platform).toSorted(), ["linux/amd64", "linux/arm64"]);
    for (const platform of platforms) {
      assert.equal(platform.layers.length, 1);
      assert.ok(platform.addedByTopDir.usr && platform.addedByTopDir.usr > 0);
      assert.deepEqual(
        platform.findings.map((f) => [f.rule, f.paths]),
        [["AUDIT.headers", ["/usr/include/iproute2/bpf_elf.h"]]],
      );
    }
    assert.ok(seconds < 60, `the audit took ${seconds.toFixed(1)} s`);
  });

  it("passes its smoke tests on both platforms", async () => {
    const report = await runSmokeTests({
      catalogDir: join(ROOT, "catalog"),
      names: ["fip-alias-agent"],
      registry,
    });
    assert.equal(report.passed, true, JSON.stringify(report.results));
    assert.equal(report.results.filter((r) => r.status === "passed").length, 4);
  });

  it("with --skip-unavailable, audits --all and reports the images not pushed as skipped", () => {
    const result = solera("audit", "--all", "--skip-unavailable", "--registry", registry, "--json");
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.deepEqual(
      report.images.map((audit: { name: string }) => audit.name),
      ["fip-alias-agent"],
    );
    assert.deepEqual(report.skipped.map((skip: { name: string }) => skip.name).toSorted(), [
      "aralez",
      "fip-controller",
      "wordpress-fpm",
    ]);
    assert.equal(
      report.skipped.find((skip: { name: string }) => skip.name === "aralez").reason,
      `${registry}/aralez:0.9.0 is not in the registry`,
    );
  });

  it("without --skip-unavailable, audit --all fails on the first image not pushed", () => {
    const result = solera("audit", "--all", "--registry", registry);
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /aralez:0\.9\.0 is not in the registry/);
  });
});
