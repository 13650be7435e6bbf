import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { machineCaSecret } from "../src/build/secrets.ts";
import { parseReference } from "../src/reference/parse.ts";
import { RegistryClient } from "../src/registry/client.ts";
import { ROOT, runSolera } from "./cli.ts";
import { machineSkipReason, testEnvironment, writeDockerConfig } from "./environment.ts";

// The main job against the prepared machine: the shipped catalog's fip-alias-agent built by the
// Docker engine, pushed with auth to the push registry, read back and pulled by digest; then the
// failures, each with its exit code and the lock untouched. Each run uses a fresh namespace in
// the push registry, so an earlier run's tags never collide with this one's.

const env = testEnvironment();
const skip = machineSkipReason(env);
const work = mkdtempSync(join(tmpdir(), "solera-build-test-"));
const namespace = `${env?.pushRegistry}/t${process.pid}${Date.now().toString(36)}`;
const fixedEnv = { SOURCE_DATE_EPOCH: "1764720000" };
// Networks that intercept TLS re-sign every connection with their own CA; a build that fetches
// packages trusts it only through the machine's bundle, offered as the BuildKit secret "ca"
// (from NODE_EXTRA_CA_CERTS, else SSL_CERT_FILE). fip-alias-agent does not mount it; passing it
// checks that an unused secret does no harm.
const ca = machineCaSecret();
const caSecret = ca ? ["--secret", ca] : [];

const dockerConfig = (password?: string) => (env ? writeDockerConfig(work, env, password) : "");
const solera = (args: string[], extra: NodeJS.ProcessEnv = {}) =>
  runSolera(args, { env: { ...fixedEnv, ...extra } });

/** A copy of the shipped catalog in a temp dir, to change without touching the real one. */
function catalogCopy(): string {
  const dir = mkdtempSync(join(work, "catalog-"));
  cpSync(join(ROOT, "catalog"), dir, { recursive: true });
  return dir;
}

describe("solera build --push on the prepared machine", { skip }, () => {
  const goodConfig = dockerConfig();
  const lock = join(work, "solera.lock.json");
  const platforms = (env?.platforms.length ? env.platforms : ["linux/amd64"]).join(",");

  before(() => {
    if (env && env.platforms.length < 2)
      process.stderr.write("note: building linux/amd64 only, QEMU is not ready\n");
  });
  after(() => execFileSync("rm", ["-rf", work]));

  it("builds the shipped fip-alias-agent, pushes it and locks digests read back from the registry", async () => {
    const run = solera(
      [
        "build",
        "fip-alias-agent",
        "--push",
        "--registry",
        namespace,
        "--platform",
        platforms,
        "--lock",
        lock,
        "--json",
        ...caSecret,
      ],
      { DOCKER_CONFIG: goodConfig },
    );
    assert.equal(run.code, 0, run.stderr.slice(-2000));

    const entry = JSON.parse(readFileSync(lock, "utf8")).images["fip-alias-agent"];
    process.env.DOCKER_CONFIG = goodConfig;
    const resolved = await new RegistryClient().resolveDigest(parseReference(entry.tag));
    assert.equal(entry.digest, resolved.digest);
    assert.deepEqual(Object.keys(entry.platforms).sort(), platforms.split(",").sort());
    assert.match(
      entry.upstreams["docker.io/library/debian:bookworm-slim"],
      /^sha256:[0-9a-f]{64}$/,
    );

    const repository = entry.tag.slice(0, entry.tag.lastIndexOf(":"));
    execFileSync(env?.docker ?? "docker", ["pull", `${repository}@${entry.digest}`], {
      env: { ...process.env, DOCKER_CONFIG: goodConfig },
      stdio: "ignore",
    });
  });

  it("pushes an unchanged image again without moving the tag", () => {
    const before = readFileSync(lock, "utf8");
    const run = solera(
      ["push", "fip-alias-agent", "--registry", namespace, "--platform", platforms, "--lock", lock],
      {
        DOCKER_CONFIG: goodConfig,
      },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /unchanged/);
    // Nothing new to record: the lock stays byte for byte, pushedAt included.
    assert.equal(readFileSync(lock, "utf8"), before);
    assert.match(run.stderr, /lock unchanged: /);
  });

  it("refuses to push an image never built here (exit 1), naming the build to run", () => {
    const other = `${namespace}-never`;
    const run = solera(["push", "fip-alias-agent", "--registry", other, "--lock", lock], {
      DOCKER_CONFIG: goodConfig,
    });
    assert.equal(run.code, 1, run.stderr);
    assert.match(
      run.stderr,
      new RegExp(
        `fip-alias-agent:0\\.1\\.0-arm64 is not built here; run \`solera build fip-alias-agent --registry ${other.replaceAll(".", "\\.")}\` first`,
      ),
    );
  });

  it("refuses to move a pushed tag to a changed image (exit 5), lock unchanged", () => {
    const catalog = catalogCopy();
    const dockerfile = join(catalog, "images/fip-alias-agent/Dockerfile");
    writeFileSync(
      dockerfile,
      `${readFileSync(dockerfile, "utf8")}\nENV SOLERA_TEST_CHANGE=${Date.now()}\n`,
    );
    const before = readFileSync(lock, "utf8");
    const common = [
      "--catalog",
      catalog,
      "--registry",
      namespace,
      "--platform",
      platforms,
      "--lock",
      lock,
    ];

    assert.equal(
      solera(["build", "fip-alias-agent", ...common], { DOCKER_CONFIG: goodConfig }).code,
      0,
    );
    const run = solera(["push", "fip-alias-agent", ...common, "--json"], {
      DOCKER_CONFIG: goodConfig,
    });
    assert.equal(run.code, 5, run.stderr);
    assert.match(
      run.stderr,
      /is already pushed as sha256:[0-9a-f]{64}, and the image built now is different: pinned tags are immutable/,
    );
    assert.match(run.stderr, /bump the version/);
    assert.equal(readFileSync(lock, "utf8"), before);
    // One JSON document: the summary with the failure folded in.
    const result = JSON.parse(run.stdout);
    assert.equal(result.exitCode, 5);
    assert.match(result.hint, /bump the version/);
    assert.equal(result.outcomes[0].status, "failed");
  });

  it("refuses to push a local image built from another revision (exit 1)", () => {
    // The test before built the tag from a catalog copy outside git (revision "unknown").
    const run = solera(
      ["push", "fip-alias-agent", "--registry", namespace, "--platform", platforms, "--lock", lock],
      { DOCKER_CONFIG: goodConfig },
    );
    assert.equal(run.code, 1, run.stderr);
    assert.match(
      run.stderr,
      /fip-alias-agent:0\.1\.0-arm64 was built from revision unknown, not the current [0-9a-f]{40}(-dirty)?; it is stale, so it is not pushed/,
    );
  });

  it("stops on wrong credentials with exit 4, lock unchanged", () => {
    const before = readFileSync(lock, "utf8");
    const run = solera(
      [
        "push",
        "fip-alias-agent",
        "--registry",
        `${namespace}-other`,
        "--platform",
        platforms,
        "--lock",
        lock,
        "--json",
      ],
      {
        DOCKER_CONFIG: dockerConfig("not-the-password"),
      },
    );
    assert.equal(run.code, 4, run.stderr);
    assert.match(run.stderr, /refused the credentials of user solera/);
    assert.equal(JSON.parse(run.stdout).exitCode, 4);
    assert.equal(readFileSync(lock, "utf8"), before);
  });

  it("stops on an unreachable registry with exit 3, lock unchanged", () => {
    const before = readFileSync(lock, "utf8");
    const run = solera([
      "push",
      "fip-alias-agent",
      "--registry",
      "127.0.0.1:9/solera",
      "--lock",
      lock,
    ]);
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /the registry 127\.0\.0\.1:9 cannot be reached/);
    assert.equal(readFileSync(lock, "utf8"), before);
  });

  it("reports a build that fails halfway with exit 1 and the log's last lines, no lock written", () => {
    const catalog = catalogCopy();
    const dockerfile = join(catalog, "images/fip-alias-agent/Dockerfile");
    writeFileSync(
      dockerfile,
      `${readFileSync(dockerfile, "utf8")}\nRUN echo solera-halfway-marker && exit 3\n`,
    );
    // One platform, so the failure is quick; --push refuses a --platform narrower than the
    // image's, so the copy declares linux/amd64 alone.
    const spec = join(catalog, "images/fip-alias-agent/image.yaml");
    writeFileSync(
      spec,
      readFileSync(spec, "utf8").replace(/^platforms: .*$/m, "platforms: [linux/amd64]"),
    );
    const freshLock = join(work, "never.lock.json");
    const run = solera(
      [
        "build",
        "fip-alias-agent",
        "--push",
        "--catalog",
        catalog,
        "--registry",
        namespace,
        "--lock",
        freshLock,
        "--json",
      ],
      { DOCKER_CONFIG: goodConfig },
    );
    assert.equal(run.code, 1, run.stderr);
    const result = JSON.parse(run.stdout);
    assert.equal(result.exitCode, 1);
    assert.match(result.error, /building fip-alias-agent for linux\/amd64 failed/);
    assert.match(
      run.stderr,
      /building fip-alias-agent for linux\/amd64 failed \(exit code 1\); last lines of the engine's log:/,
    );
    assert.match(run.stderr, / {2}\| .*solera-halfway-marker/);
    assert.equal(existsSync(freshLock), false);
  });
});

describe("solera build without an engine", () => {
  it("exits 3 and says what to install", () => {
    const emptyPath = mkdtempSync(join(tmpdir(), "solera-no-path-"));
    const run = solera(["build", "fip-alias-agent"], {
      PATH: emptyPath,
      SOLERA_DOCKER: "/nowhere/docker",
    });
    assert.equal(run.code, 3, run.stderr);
    assert.match(
      run.stderr,
      /no build engine found: SOLERA_DOCKER=\/nowhere\/docker is not an executable/,
    );
    assert.match(run.stderr, /apt-get install docker\.io/);
  });
});
