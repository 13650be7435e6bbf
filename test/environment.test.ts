import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import {
  type DockerClient,
  requireDocker,
  requireTestEnvironment,
  TestEnvironmentError,
  testEnvironment,
} from "./environment.ts";

const scratch = mkdtempSync(join(tmpdir(), "solera-test-env-"));

function envFile(name: string, content: string): string {
  const path = join(scratch, name);
  writeFileSync(path, content);
  return path;
}

describe("testEnvironment", () => {
  const valid = {
    mirror: "127.0.0.1:5001",
    pushRegistry: "127.0.0.1:5000",
    username: "solera",
    password: "secret",
    docker: "/usr/bin/docker",
    standIns: ["library/debian:bookworm-slim"],
  };

  test("reads the file named by SOLERA_TEST_ENV", () => {
    const path = envFile("valid.json", JSON.stringify(valid));
    assert.deepEqual(testEnvironment({ SOLERA_TEST_ENV: path }), { ...valid, platforms: [] });
  });

  test("returns undefined for a missing file outside CI", () => {
    const path = join(scratch, "absent.json");
    assert.equal(testEnvironment({ SOLERA_TEST_ENV: path }), undefined);
  });

  test("throws for a missing file under CI=true, saying what to run", () => {
    const path = join(scratch, "absent.json");
    assert.throws(() => testEnvironment({ SOLERA_TEST_ENV: path, CI: "true" }), {
      name: "TestEnvironmentError",
      message: `${path} is missing, and CI=true requires a prepared machine: run \`bash scripts/prepare-machine.sh\` as root first`,
    });
  });

  test("names the bad fields of a malformed file", () => {
    const path = envFile("bad.json", JSON.stringify({ ...valid, password: 7, mirror: undefined }));
    assert.throws(
      () => testEnvironment({ SOLERA_TEST_ENV: path }),
      (error: unknown) =>
        error instanceof TestEnvironmentError &&
        error.message.includes("(bad fields: mirror, password)"),
    );
  });

  test("wraps unparseable JSON with the path", () => {
    const path = envFile("broken.json", "{");
    assert.throws(() => testEnvironment({ SOLERA_TEST_ENV: path }), {
      message: `reading ${path}`,
    });
  });
});

describe("the prepared machine", () => {
  test("the mirror serves each stand-in as an index of every buildable platform", async (t) => {
    const env = requireTestEnvironment(t);
    if (!env) return;

    assert.ok(env.standIns.length >= 2, `stand-ins listed: ${env.standIns.join(", ")}`);
    for (const standIn of env.standIns) {
      const [repository, tag] = standIn.split(":");
      const response = await fetch(`http://${env.mirror}/v2/${repository}/manifests/${tag}`, {
        headers: { accept: "application/vnd.docker.distribution.manifest.list.v2+json" },
      });
      assert.equal(response.status, 200, `${standIn} on the mirror`);
      const index = (await response.json()) as { manifests: { platform: Platform }[] };
      const platforms = index.manifests.map((m) => `${m.platform.os}/${m.platform.architecture}`);
      assert.deepEqual(platforms.sort(), [...env.platforms].sort(), standIn);
    }
  });

  test("the push registry refuses anonymous requests and admits the generated password", async (t) => {
    const env = requireTestEnvironment(t);
    if (!env) return;

    const url = `http://${env.pushRegistry}/v2/`;
    assert.equal((await fetch(url)).status, 401);
    const basic = Buffer.from(`${env.username}:${env.password}`).toString("base64");
    assert.equal((await fetch(url, { headers: { authorization: `Basic ${basic}` } })).status, 200);
    const wrong = Buffer.from(`${env.username}:not-${env.password}`).toString("base64");
    assert.equal((await fetch(url, { headers: { authorization: `Basic ${wrong}` } })).status, 401);
  });

  test("an unmodified FROM debian:bookworm-slim builds through the mirror and reaches apt", (t) => {
    const env = requireTestEnvironment(t);
    const docker = env && requireDocker(t);
    if (!docker) return;

    const context = mkdtempSync(join(tmpdir(), "solera-from-debian-"));
    writeFileSync(
      join(context, "Dockerfile"),
      "FROM debian:bookworm-slim\nRUN apt-get update && ls /var/lib/apt/lists | grep -q _Packages\n",
    );
    const tag = "solera-test/from-debian:latest";
    dockerRun(docker, [...docker.buildCommand, "--pull", "--no-cache", "-t", tag, context]);
    dockerRun(docker, ["image", "rm", tag]);
  });

  test("the debian stand-in is slim like the official image", (t) => {
    const env = requireTestEnvironment(t);
    const docker = env && requireDocker(t);
    if (!docker) return;

    const script = [
      'test -z "$(ls /var/lib/apt/lists | grep -v partial)"',
      'test -z "$(find /usr/share/doc -type f ! -name copyright)"',
      'test -z "$(ls /usr/share/man)"',
      "test -f /etc/apt/apt.conf.d/docker-clean",
      "test -f /etc/dpkg/dpkg.cfg.d/docker",
      "echo slim",
    ].join(" && ");
    const out = dockerRun(docker, ["run", "--rm", "debian:bookworm-slim", "sh", "-c", script]);
    assert.equal(out.trim(), "slim");
  });

  test("the node stand-in runs Node 24 and npm on every buildable platform", (t) => {
    const env = requireTestEnvironment(t);
    const docker = env && requireDocker(t);
    if (!docker || !env) return;

    for (const platform of env.platforms) {
      const image = "node:24-bookworm-slim";
      dockerRun(docker, ["pull", "--platform", platform, image]);
      const script = "uname -m; node --version; npm --version";
      const out = dockerRun(docker, [
        "run",
        "--rm",
        "--platform",
        platform,
        image,
        "sh",
        "-c",
        script,
      ]);
      const [machine, node] = out.trim().split("\n");
      assert.equal(machine, platform === "linux/arm64" ? "aarch64" : "x86_64");
      assert.match(node ?? "", /^v24\./);
    }
  });
});

type Platform = { os: string; architecture: string };

function dockerRun(docker: DockerClient, args: string[]): string {
  return execFileSync(docker.path, args, {
    env: docker.env,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 300_000,
  });
}
