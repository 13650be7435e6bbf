import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { machineCaSecret } from "../src/build/secrets.ts";
import { parseReference } from "../src/reference/parse.ts";
import { RegistryClient } from "../src/registry/client.ts";
import { runSolera } from "./cli.ts";
import { machineSkipReason, testEnvironment, writeDockerConfig } from "./environment.ts";

// The shipped fip-controller, unmodified, built by the Docker engine for every platform the
// prepared machine can build (linux/amd64, and linux/arm64 under QEMU: about 90 s on 2 cores
// with a cold cache, most of it `npm ci` emulated), pushed with auth to a fresh namespace of
// the push registry, read back, pulled by digest and run. Its build stage runs `npm ci`; on a
// network that intercepts TLS npm trusts the intercepting CA only through the machine's bundle,
// offered as the build secret "ca" when NODE_EXTRA_CA_CERTS or SSL_CERT_FILE names one.

const env = testEnvironment();
const skip = machineSkipReason(env);
const work = mkdtempSync(join(tmpdir(), "solera-fip-controller-test-"));
const namespace = `${env?.pushRegistry}/c${process.pid}${Date.now().toString(36)}`;
const caSecret = machineCaSecret();

describe("solera build --push fip-controller on the prepared machine", { skip }, () => {
  const config = env ? writeDockerConfig(work, env) : "";
  const lock = join(work, "solera.lock.json");
  const platforms = env?.platforms.length ? env.platforms : ["linux/amd64"];
  const dockerEnv = { ...process.env, DOCKER_CONFIG: config };
  after(() => rmSync(work, { recursive: true, force: true }));

  it("builds the shipped image for every platform, pushes it and locks digests read back", async () => {
    const args = ["build", "fip-controller", "--push", "--registry", namespace];
    args.push("--platform", platforms.join(","), "--lock", lock);
    if (caSecret) args.push("--secret", caSecret);
    const started = performance.now();
    const run = runSolera(args, {
      env: { DOCKER_CONFIG: config, SOURCE_DATE_EPOCH: "1764720000" },
    });
    assert.equal(run.code, 0, run.stderr.slice(-3000));
    process.stderr.write(
      `note: fip-controller built and pushed for ${platforms.join(", ")} in ${Math.round((performance.now() - started) / 1000)} s\n`,
    );

    const entry = JSON.parse(readFileSync(lock, "utf8")).images["fip-controller"];
    process.env.DOCKER_CONFIG = config;
    const registry = new RegistryClient();
    const resolved = await registry.resolveDigest(parseReference(entry.tag));
    assert.equal(entry.digest, resolved.digest);
    assert.deepEqual(Object.keys(entry.platforms).sort(), [...platforms].sort());
    for (const base of ["debian:bookworm-slim", "node:24-bookworm-slim"]) {
      assert.match(entry.upstreams[`docker.io/library/${base}`], /^sha256:[0-9a-f]{64}$/);
    }
    await reportSizes(registry, entry);
  });

  it("pulls the pushed image by digest and runs it, with no trace of the build secret", () => {
    const entry = JSON.parse(readFileSync(lock, "utf8")).images["fip-controller"];
    const repository = entry.tag.slice(0, entry.tag.lastIndexOf(":"));
    const pinned = `${repository}@${entry.digest}`;
    const docker = env?.docker ?? "docker";
    execFileSync(docker, ["pull", pinned], { env: dockerEnv, stdio: "ignore" });

    const version = execFileSync(docker, ["run", "--rm", pinned, "--version"], {
      env: dockerEnv,
      encoding: "utf8",
    });
    assert.match(version, /0\.1\.0/);
    const inspect = execFileSync(docker, ["image", "inspect", pinned], {
      env: dockerEnv,
      encoding: "utf8",
    });
    assert.match(inspect, /"User": "65532:65532"/);
    assert.doesNotMatch(inspect, /NODE_EXTRA_CA_CERTS|run\/secrets|ca-certificates\.crt/);
  });
});

/** Prints each platform's compressed size (config and layers), as the registry stores it. */
async function reportSizes(
  registry: RegistryClient,
  entry: { tag: string; platforms: Record<string, string> },
): Promise<void> {
  const repository = parseReference(entry.tag);
  for (const [platform, digest] of Object.entries(entry.platforms)) {
    const manifest = await registry.getManifest({ ...repository, tag: undefined, digest });
    const json = manifest.json as { layers: { size: number }[]; config: { size: number } };
    const bytes = json.layers.reduce((sum, layer) => sum + layer.size, json.config.size);
    process.stderr.write(
      `note: fip-controller ${platform}: ${(bytes / 1e6).toFixed(2)} MB compressed\n`,
    );
  }
}
