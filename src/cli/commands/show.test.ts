import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { describe, it } from "node:test";
import { promisify } from "node:util";

const run = promisify(execFile);
const main = new URL("../main.ts", import.meta.url).pathname;
const catalog = new URL("../../../catalog", import.meta.url).pathname;

/** Runs the CLI in a child process; resolves to its exit code and output. */
async function solera(...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [main, "--catalog", catalog, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe("solera list", () => {
  it("prints a table of the shipped images", async () => {
    const { code, stdout } = await solera("list");
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

  it("prints JSON with --json", async () => {
    const { code, stdout } = await solera("list", "--json");
    assert.equal(code, 0);
    const rows = JSON.parse(stdout) as { name: string; platforms: string[] }[];
    assert.deepEqual(rows.find((row) => row.name === "aralez")?.platforms, ["linux/arm64"]);
  });
});

describe("solera show", () => {
  it("derives the upstream / base column from the FROM lines", async () => {
    const { code, stdout } = await solera("show", "aralez");
    assert.equal(code, 0);
    assert.match(stdout, /^upstream \/ base {2}rust:1\.88-slim-bookworm → debian:bookworm-slim$/m);
    assert.match(stdout, /^adds \(the justified delta\)$/m);
  });

  it("prints the delta columns and deploy shape as JSON", async () => {
    const { code, stdout } = await solera("show", "fip-alias-agent", "--json");
    assert.equal(code, 0);
    const image = JSON.parse(stdout);
    assert.equal(image.bases.text, "debian:bookworm-slim");
    assert.equal(image.reference, "reg.librecloud.online/solera/fip-alias-agent:0.1.0");
    assert.deepEqual(image.deploy.node, { hostNetwork: true, capabilities: ["NET_ADMIN"] });
    assert.deepEqual(image.delta.adds, ["iproute2 only, to bind floating-IP aliases per node"]);
  });

  it("refuses an unknown image with exit code 2, naming the known images", async () => {
    const { code, stdout, stderr } = await solera("show", "nginx");
    assert.equal(code, 2);
    assert.equal(stdout, "");
    assert.match(
      stderr,
      /^error: unknown image "nginx" in .*catalog\.yaml; known images: aralez, fip-alias-agent, (fip-controller, )?wordpress-fpm$/m,
    );
  });
});
