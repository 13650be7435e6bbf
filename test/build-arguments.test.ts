import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, it } from "node:test";
import {
  checkEngineChoice,
  checkPlatformSelection,
  checkWritableFile,
  parsePlatforms,
} from "../src/build/arguments.ts";
import { toBakeFile } from "../src/build/bake.ts";
import { BuildFailedError } from "../src/build/engines/engine.ts";
import { sourceOf } from "../src/build/git.ts";
import { checkRegistry, planBuild } from "../src/build/plan.ts";
import type { Plan } from "../src/build/types.ts";
import { loadCatalog } from "../src/catalog/load.ts";
import { describeError } from "../src/errors.ts";
import { ROOT, runSolera } from "./cli.ts";

// Argument checks of plan, build and push: each bad value fails before any work with exit 2 and
// a message naming it. The CLI runs here need no engine or registry: they fail before either.

const work = mkdtempSync(join(tmpdir(), "solera-args-"));

const solera = (args: string[], cwd = ROOT) => runSolera(args, { cwd });

describe("--engine, --platform and --registry", () => {
  it("refuses an unknown engine with exit 2, as one JSON document with --json", () => {
    assert.throws(() => checkEngineChoice("bogus"), {
      message: 'unknown engine "bogus" (expected auto, buildx, docker or buildctl)',
    });
    assert.equal(checkEngineChoice(undefined), "auto");
    const run = solera(["build", "fip-alias-agent", "--engine", "bogus", "--json"]);
    assert.equal(run.code, 2, run.stderr);
    assert.equal(JSON.parse(run.stdout).exitCode, 2);
  });

  const platforms: [string, string[] | string][] = [
    ["linux/amd64", ["linux/amd64"]],
    ["linux/amd64, linux/arm/v7", ["linux/amd64", "linux/arm/v7"]],
    ["bogus", '--platform "bogus" is not <os>/<arch>[/<variant>]'],
    ["", '--platform "" is not <os>/<arch>[/<variant>]'],
    ["linux/amd64,", '--platform "" is not <os>/<arch>[/<variant>]'],
    ["Linux/AMD64", '--platform "Linux/AMD64" is not <os>/<arch>[/<variant>]'],
  ];
  for (const [input, expected] of platforms) {
    it(`reads --platform "${input}"`, () => {
      if (Array.isArray(expected)) assert.deepEqual(parsePlatforms(input), expected);
      else
        assert.throws(() => parsePlatforms(input), {
          message: `${expected} (comma-separated, e.g. linux/amd64,linux/arm64)`,
        });
    });
  }

  const registries: [string, string | undefined][] = [
    ["127.0.0.1:5000/x", undefined],
    ["localhost/solera", undefined],
    ["registry.example.com/a/b/", undefined],
    ["127.0.0.1:99999/x", "has port 99999, outside 1-65535"],
    ["nonsense", "names no registry host (a host needs a dot, a port, or to be localhost)"],
    ["nonsense/x", "names no registry host (a host needs a dot, a port, or to be localhost)"],
    ["registry.example.com", "has no namespace"],
    ["registry.example.com/Upper", 'has an invalid namespace component "Upper"'],
  ];
  for (const [input, problem] of registries) {
    it(`checks --registry ${input}`, () => {
      if (!problem) assert.equal(checkRegistry(input), input.replace(/\/+$/, ""));
      else
        assert.throws(() => checkRegistry(input), {
          message: `registry "${input}" ${problem}; expected <host>[:port]/<namespace>`,
        });
    });
  }

  it("exits 2 for a bad --registry on plan", () => {
    const run = solera(["plan", "--registry", "127.0.0.1:99999/x"]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /has port 99999, outside 1-65535/);
  });
});

describe("the platform filter", () => {
  const plan = (targets: string[], skipped: string[]): Plan => ({
    registry: "r.example/x",
    revision: "-",
    created: "-",
    targets: targets.map((name) => ({ name }) as Plan["targets"][number]),
    skipped: skipped.map((name) => ({ name, reason: "builds only linux/amd64; none asked" })),
  });

  it("refuses an image named on the command line that no asked platform builds", () => {
    assert.throws(() => checkPlatformSelection(plan(["b"], ["a"]), ["a", "b"]), {
      message: "nothing to build for the platforms asked: a builds only linux/amd64; none asked",
    });
    const run = solera(["build", "fip-alias-agent", "--platform", "linux/s390x"]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /fip-alias-agent builds only linux\/arm64, linux\/amd64/);
  });

  it("with all images, skips the left-out ones and needs one target to remain", () => {
    checkPlatformSelection(plan(["b"], ["a"]), undefined);
    assert.throws(() => checkPlatformSelection(plan([], ["a"]), []), {
      message: "no image of the catalog builds any of the platforms asked",
    });
  });

  it("refuses --push for fewer platforms than the image declares (exit 2), before any work", () => {
    const run = solera([
      "build",
      "fip-alias-agent",
      "--push",
      "--registry",
      "127.0.0.1:9/x",
      "--platform",
      "linux/amd64",
    ]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(
      run.stderr,
      /cannot push fip-alias-agent for linux\/amd64 only: its version tag must name every platform it declares \(linux\/arm64, linux\/amd64\)/,
    );
  });
});

describe("output paths", () => {
  it("refuses a --write-bake or --lock path that cannot be written, with exit 2", () => {
    assert.throws(() => checkWritableFile("--lock", "/nonexistent/x.json"), {
      message: "--lock /nonexistent/x.json: the folder /nonexistent does not exist",
    });
    assert.throws(() => checkWritableFile("--write-bake", work), {
      message: `--write-bake ${work}: is a folder, not a file`,
    });
    const bake = solera(["plan", "--write-bake", "/nonexistent/dir/bake.json"]);
    assert.equal(bake.code, 2, bake.stderr);
    const lock = solera([
      "push",
      "fip-alias-agent",
      "--registry",
      "127.0.0.1:9/x",
      "--lock",
      "/nonexistent/x.json",
    ]);
    assert.equal(lock.code, 2, lock.stderr);
    assert.match(lock.stderr, /--lock \/nonexistent\/x\.json: the folder \/nonexistent/);
  });
});

describe("plan", () => {
  it("writes bake contexts relative to the working directory, for a deeply nested catalog", () => {
    const catalog = join(work, "a/b/c/d/catalog");
    mkdirSync(catalog, { recursive: true });
    cpSync(join(ROOT, "catalog"), catalog, { recursive: true });
    const cwd = join(work, "x/y");
    mkdirSync(cwd, { recursive: true });
    const run = solera(["--catalog", catalog, "plan", "--write-bake", "out.json"], cwd);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /from .*x\/y run: docker buildx bake -f out\.json/);
    const bake = JSON.parse(readFileSync(join(cwd, "out.json"), "utf8"));
    const agent = bake.target["fip-alias-agent"];
    assert.equal(resolve(cwd, agent.context), join(catalog, "images/fip-alias-agent"));
    assert.equal(agent.dockerfile, "Dockerfile");
  });

  it("gives the engine's own bake file absolute contexts, whatever the working directory", async () => {
    const catalog = await loadCatalog(join(ROOT, "catalog"));
    const plan = planBuild(catalog, { names: ["fip-alias-agent"], revision: "r", source: "" });
    const agent = toBakeFile(plan).target["fip-alias-agent"];
    assert.equal(agent?.context, join(ROOT, "catalog/images/fip-alias-agent"));
    assert.equal(agent?.dockerfile, "Dockerfile");
  });

  it("leaves images the gates refuse out of the plan and the bake file, exit 1, one JSON", () => {
    const catalog = mkdtempSync(join(work, "catalog-"));
    cpSync(join(ROOT, "catalog"), catalog, { recursive: true });
    const dockerfile = join(catalog, "images/fip-alias-agent/Dockerfile");
    const text = readFileSync(dockerfile, "utf8").replace(/^FROM .*$/m, "FROM debian:latest");
    writeFileSync(dockerfile, text);
    const bakePath = join(work, "gated.json");
    const run = solera(["--catalog", catalog, "--json", "plan", "--write-bake", bakePath]);
    assert.equal(run.code, 1, run.stderr);
    const result = JSON.parse(run.stdout);
    assert.equal(result.exitCode, 1);
    assert.match(result.error, /^the gates refuse fip-alias-agent, left out of the plan$/);
    assert.match(result.refused[0].reason, /^refused by the gates: /);
    const bake = JSON.parse(readFileSync(bakePath, "utf8"));
    assert.equal(bake.target["fip-alias-agent"], undefined);
    assert.ok(bake.target["fip-controller"]);
  });

  it("aligns the plan table's columns", () => {
    const run = solera(["plan"]);
    assert.equal(run.code, 0, run.stderr);
    const rows = run.stdout.split("\n").filter((line) => line.includes("linux/"));
    const column = (line: string) => line.indexOf("linux/");
    assert.ok(rows.length > 1);
    assert.ok(
      rows.every((row) => column(row) === column(rows[0] ?? "")),
      run.stdout,
    );
  });
});

describe("messages", () => {
  it("leaves out a cause the message already quotes", () => {
    const inner = new Error("connect ECONNREFUSED 127.0.0.1:9");
    const fetchError = new Error("fetch failed", { cause: inner });
    const registry = new Error(`cannot reach registry x: ${describeError(fetchError)}`, {
      cause: fetchError,
    });
    const outer = new Error(`the registry x cannot be reached: ${describeError(registry)}`, {
      cause: registry,
    });
    assert.equal(
      describeError(outer),
      "the registry x cannot be reached: cannot reach registry x: fetch failed: connect ECONNREFUSED 127.0.0.1:9",
    );
  });

  it("says the engine printed nothing rather than announce an empty log", () => {
    assert.equal(
      new BuildFailedError("building a", 1, []).message,
      "building a failed (exit code 1); the engine printed nothing",
    );
  });

  const sources: [string, string | undefined][] = [
    ["https://user:token@git.example.com/org/repo.git", "https://git.example.com/org/repo.git"],
    ["git@github.com:org/repo.git", "ssh://github.com/org/repo.git"],
    ["ssh://git@host.example/repo", "ssh://host.example/repo"],
    ["/srv/git/solera", undefined],
    ["../solera", undefined],
    ["file:///srv/git/solera", undefined],
  ];
  for (const [origin, expected] of sources) {
    it(`records origin ${origin} as source ${expected}`, () => {
      assert.equal(sourceOf(origin), expected);
    });
  }
});
