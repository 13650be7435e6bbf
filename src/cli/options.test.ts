import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ExitCode } from "../errors.ts";
import { checkSelection, collect, parseSeconds, splitList } from "./options.ts";

describe("checkSelection", () => {
  it("accepts image names alone or --all alone", () => {
    assert.doesNotThrow(() => checkSelection(["aralez"], undefined, "audit"));
    assert.doesNotThrow(() => checkSelection([], true, "audit"));
  });

  it("refuses neither names nor --all, with a usage hint for the command", () => {
    assert.throws(() => checkSelection([], undefined, "smoke"), {
      name: "UserError",
      message: "name the images to smoke, or pass --all",
      hint: "solera smoke fip-alias-agent, or solera smoke --all",
      exitCode: ExitCode.usage,
    });
  });

  it("refuses names together with --all", () => {
    assert.throws(() => checkSelection(["aralez"], true, "push"), {
      name: "UserError",
      message: "pass image names or --all, not both",
      hint: "solera push --all",
      exitCode: ExitCode.usage,
    });
  });
});

describe("splitList and collect", () => {
  const rows: { value: string | string[] | undefined; expect: string[] | undefined }[] = [
    { value: undefined, expect: undefined },
    { value: "linux/amd64", expect: ["linux/amd64"] },
    { value: "linux/amd64, linux/arm64,", expect: ["linux/amd64", "linux/arm64"] },
    { value: ["a,b", "c"], expect: ["a", "b", "c"] },
  ];
  for (const { value, expect } of rows) {
    it(`splits ${JSON.stringify(value)}`, () => assert.deepEqual(splitList(value), expect));
  }

  it("collects a repeated option's values in order", () => {
    assert.deepEqual(collect("b", collect("a")), ["a", "b"]);
  });
});

describe("parseSeconds", () => {
  it("reads a positive number of seconds", () => {
    assert.equal(parseSeconds("120", "--timeout"), 120);
    assert.equal(parseSeconds("0.5", "--timeout"), 0.5);
  });

  for (const value of ["abc", "", "0", "-5", "Infinity"]) {
    it(`refuses ${JSON.stringify(value)} with a usage error`, () => {
      assert.throws(() => parseSeconds(value, "--timeout"), {
        name: "UserError",
        message: `--timeout takes a positive number of seconds, not "${value}"`,
        hint: "--timeout 120",
        exitCode: ExitCode.usage,
      });
    });
  }

  it("refuses more than a day, which Node's timers would cut to 1 ms", () => {
    assert.throws(() => parseSeconds("1e9", "--timeout"), {
      message: `--timeout takes at most 86400 seconds (a day), not "1e9"`,
      exitCode: ExitCode.usage,
    });
  });
});
