import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ROOT, runSolera } from "../../test/cli.ts";

// The CLI shell as a user meets it: a separate node process, its stdout, stderr and exit code.

const VERSION = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version as string;

const solera = (...args: string[]) => runSolera(args);

describe("usage errors with --json", () => {
  const rows = [
    {
      args: ["list", "--bogus", "--json"],
      error: "unknown option '--bogus'",
      hint: "run solera list --help to see its usage",
    },
    {
      args: ["--json", "frobnicate"],
      error: "unknown command 'frobnicate'",
      hint: "run solera --help to see the commands",
    },
    {
      args: ["--json", "show"],
      error: "missing required argument 'image'",
      hint: "run solera show --help to see its usage",
    },
    {
      args: ["--catalog", "catalog", "--json", "explain", "A1", "A2"],
      error: "too many arguments for 'explain'. Expected 1 argument but got 2.",
      hint: "run solera explain --help to see its usage",
    },
    { args: ["--json"], error: "no command given", hint: "run solera --help to see the commands" },
  ];
  for (const row of rows) {
    it(`prints one JSON document for solera ${row.args.join(" ")}`, () => {
      const { code, stdout, stderr } = solera(...row.args);
      assert.deepEqual(JSON.parse(stdout), { error: row.error, hint: row.hint, exitCode: 2 });
      if (row.error !== "no command given") assert.match(stderr, /^error: /);
      assert.equal(code, 2);
    });
  }

  it("prints nothing on stdout without --json", () => {
    const { code, stdout, stderr } = solera("list", "--bogus");
    assert.equal(stdout, "");
    assert.match(stderr, /^error: unknown option '--bogus'\n/);
    assert.equal(code, 2);
  });
});

describe("solera --version", () => {
  it("prints the package version", () => {
    const { code, stdout } = solera("--version");
    assert.equal(stdout, `${VERSION}\n`);
    assert.equal(code, 0);
  });

  it("prints it as JSON with --json", () => {
    const { code, stdout } = solera("--json", "--version");
    assert.deepEqual(JSON.parse(stdout), { version: VERSION });
    assert.equal(code, 0);
  });
});

describe("a command's --help", () => {
  it("lists the global options --catalog and --json", () => {
    const { code, stdout } = solera("check", "--help");
    const global = stdout.slice(stdout.indexOf("Global Options:"));
    assert.match(global, /^ {2}--catalog <dir> +catalog directory/m);
    assert.match(global, /^ {2}--json +print results as JSON on stdout/m);
    assert.equal(code, 0);
  });
});
