import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runSolera } from "../../../test/cli.ts";

// The commands as a user runs them: a separate node process, real catalogs on disk, exit codes.

const REFUSED = "src/gates/testdata/refused";

const solera = (...args: string[]) => runSolera(args);

describe("solera check", () => {
  it("admits every image of the shipped catalog", () => {
    const { code, stdout } = solera("check", "--json");
    const report = JSON.parse(stdout) as {
      admissible: boolean;
      images: {
        name: string;
        admissible: boolean;
        findings: { rule: string; severity: string }[];
      }[];
    };
    const refused = report.images
      .filter((image) => !image.admissible)
      .map(
        (image) =>
          `${image.name}: ${image.findings
            .filter((f) => f.severity === "error")
            .map((f) => f.rule)
            .join(", ")}`,
      );
    assert.deepEqual(refused, []);
    assert.ok(report.images.length >= 3, "the shipped catalog has its images");
    assert.equal(code, 0);
  });

  it("prints a verdict per image and each finding as file:line with its fix, and exits 1", () => {
    const { code, stdout, stderr } = solera("--catalog", REFUSED, "check");
    const bad = `${REFUSED}/images/bad`;
    assert.equal(
      stdout,
      [
        "bad: refused (4 errors, 0 warnings)",
        `  ${bad}/Dockerfile:1: error A1.latest-tag: wordpress:latest uses "latest" in its tag, which moves with every upstream release`,
        "    fix: Replace latest with the upstream's version tag.",
        `  ${bad}/Dockerfile:2: error A3.redundant: RUN installs gd again (php-ext), but the upstream already provides it: "gd"`,
        "    fix: Remove the install: the upstream already provides it, and its release cadence maintains it.",
        `  ${bad}/settings.ini:2: error T2.post-below-upload: post_max_size = 8M is below upload_max_filesize = 64M, so uploads near the limit fail`,
        "    fix: Raise post_max_size to at least upload_max_filesize: an upload travels inside a POST body.",
        `  ${bad}/settings.ini:3: error T2.logic-setting: session.save_handler is an application-logic setting; the image must not bake it`,
        "    fix: Remove the setting from the image; the operator sets it through a ConfigMap mounted into conf.d.",
        "good: admissible (0 errors, 0 warnings)",
        "",
      ].join("\n"),
    );
    assert.equal(stderr, "error: 2 images checked: 1 admissible, 1 refused\n");
    assert.equal(code, 1);
  });

  it("exits 0 when the named images are admissible", () => {
    const { code, stdout } = solera("--catalog", REFUSED, "check", "good");
    assert.equal(stdout, "good: admissible (0 errors, 0 warnings)\n");
    assert.equal(code, 0);
  });

  it("prints the GateReport with --json", () => {
    const { code, stdout } = solera("--catalog", REFUSED, "--json", "check", "bad");
    const report = JSON.parse(stdout);
    assert.equal(report.admissible, false);
    assert.equal(report.images[0].name, "bad");
    assert.deepEqual(report.images[0].findings[0], {
      rule: "A1.latest-tag",
      severity: "error",
      image: "bad",
      file: `${REFUSED}/images/bad/Dockerfile`,
      line: 1,
      message: 'wordpress:latest uses "latest" in its tag, which moves with every upstream release',
      fix: "Replace latest with the upstream's version tag.",
    });
    assert.equal(code, 1);
  });

  it("refuses an unknown image name with exit 2, listing the known ones", () => {
    const { code, stdout, stderr } = solera("--catalog", REFUSED, "check", "nope");
    assert.equal(stdout, "");
    assert.equal(
      stderr,
      `error: unknown image "nope" in ${REFUSED}/catalog.yaml; known images: bad, good\n  fix: run solera list to see the catalog's images\n`,
    );
    assert.equal(code, 2);
  });

  it("exits 2 when the catalog does not load", () => {
    const { code, stderr } = solera("--catalog", "src/gates/testdata/missing", "check");
    assert.match(stderr, /^error: /);
    assert.equal(code, 2);
  });
});

describe("solera explain", () => {
  it("prints a rule's rationale, severity, fix and checks", () => {
    const { code, stdout } = solera("explain", "a1");
    const lines = stdout.split("\n");
    assert.equal(lines[0], "A1 upstream-first: Upstream First");
    assert.match(stdout, /^ {2}severity: error$/m);
    assert.match(stdout, /^ {4}A1\.latest-tag +error +no FROM uses latest$/m);
    assert.equal(code, 0);
  });

  it("prints one check, with its rule's rationale, for a check id", () => {
    const { code, stdout } = solera("explain", "A1.scratch");
    assert.equal(
      stdout,
      [
        "A1.scratch: no stage starts from scratch",
        "  rule: A1 upstream-first: Upstream First",
        "  why: Every image extends an official upstream, so its base is maintained, patched and recognisable; solera only adds the justified delta.",
        "  severity: error",
        "  fix: Start from the official image the delta extends; scratch has no upstream to follow.",
        "",
      ].join("\n"),
    );
    assert.equal(code, 0);
  });

  it("prints a check as JSON with its rule, without the rule's other checks", () => {
    const { code, stdout } = solera("--json", "explain", "T2.logic-setting");
    const check = JSON.parse(stdout);
    assert.equal(check.id, "T2.logic-setting");
    assert.equal(check.severity, "error");
    assert.equal(check.rule.id, "T2");
    assert.equal(check.rule.key, "baked-defaults-vs-runtime-config");
    assert.equal(check.rule.checks, undefined);
    assert.equal(code, 0);
  });

  it("finds a rule by its key, as by its id", () => {
    const byKey = solera("explain", "upstream-first");
    assert.equal(byKey.stdout, solera("explain", "A1").stdout);
    assert.match(byKey.stdout, /^A1 upstream-first: Upstream First$/m);
    assert.equal(byKey.code, 0);
  });

  it("refuses an unknown check of a known rule, listing its checks", () => {
    const { code, stderr } = solera("explain", "A3.nope");
    assert.match(
      stderr,
      /^error: unknown check "A3\.nope" of rule A3\n {2}fix: Name one of its checks: A3\./,
    );
    assert.equal(code, 2);
  });

  it("refuses an unknown rule with exit 2, listing the rule ids", () => {
    const { code, stderr } = solera("explain", "Z9");
    assert.equal(
      stderr,
      'error: unknown rule "Z9"\n  fix: Name one of the rules: A1, A2, A3, T1, T2, R1, R2, C1, C2.\n',
    );
    assert.equal(code, 2);
  });
});
