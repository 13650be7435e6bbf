import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ROOT, runSolera } from "../../../test/cli.ts";

const catalog = join(ROOT, "catalog");
const solera = (...args: string[]) => runSolera(["--catalog", catalog, ...args]);

describe("solera list", () => {
  it("prints a table of the shipped images", () => {
    const { code, stdout } = solera("list");
    assert.equal(code, 0);
    const lines = stdout.trimEnd().split("\n");
    assert.match(lines[0] ?? "", /^NAME +CLASS +VERSION +PLATFORMS$/);
    assert.ok(
      lines.some((line) =>
        /^wordpress-fpm +upstream-extension +6\.9\.4-php8\.3 +linux\/amd64, linux\/arm64$/.test(
          line,
        ),
      ),
    );
  });

  it("prints JSON with --json", () => {
    const { code, stdout } = solera("list", "--json");
    assert.equal(code, 0);
    const rows = JSON.parse(stdout) as { name: string; platforms: string[] }[];
    assert.deepEqual(rows.find((row) => row.name === "aralez")?.platforms, ["linux/arm64"]);
  });
});

describe("solera show", () => {
  it("derives the upstream / base column from the FROM lines", () => {
    const { code, stdout } = solera("show", "aralez");
    assert.equal(code, 0);
    assert.match(stdout, /^upstream \/ base {2}rust:1\.88-slim-bookworm → debian:bookworm-slim$/m);
    assert.match(stdout, /^adds \(the justified delta\)$/m);
  });

  it("prints the delta columns and deploy shape as JSON", () => {
    const { code, stdout } = solera("show", "fip-alias-agent", "--json");
    assert.equal(code, 0);
    const image = JSON.parse(stdout);
    assert.equal(image.bases.text, "debian:bookworm-slim");
    assert.equal(image.reference, "reg.librecloud.online/solera/fip-alias-agent:0.1.0");
    assert.deepEqual(image.deploy.node, { hostNetwork: true, capabilities: ["NET_ADMIN"] });
    assert.deepEqual(image.delta.adds, ["iproute2 only, to bind floating-IP aliases per node"]);
  });

  it("refuses an unknown image with exit code 2, naming the known images", () => {
    const { code, stdout, stderr } = solera("show", "nginx");
    assert.equal(code, 2);
    assert.equal(stdout, "");
    assert.match(
      stderr,
      /^error: unknown image "nginx" in .*catalog\.yaml; known images: aralez, fip-alias-agent, (fip-controller, )?wordpress-fpm$/m,
    );
  });
});
